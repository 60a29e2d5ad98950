import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { resolveAppointment } from '../../src/domain/appointments/lookup.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { revokeToken } from '../../src/domain/identity/api-tokens.js';
import { readMessage } from '../../src/domain/messages/service.js';
import { noSuch, type RecordKind } from '../../src/domain/references.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Records named by id or unique prefix (DESIGN §3): one rule and one set of messages for every kind. */
describeBackends('references by id prefix', (db) => {
  let staff: MadeUser;
  let doctor: MadeUser;
  let otherDoctor: MadeUser;
  let patient: MadeUser;
  let hiddenPatient: MadeUser;
  const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const ctx = (actor: MadeUser) => db().context(actor);

  beforeAll(async () => {
    const knex = db().knex;
    await upsertSetting(knex, 'timezone', 'Europe/Lisbon', null);
    staff = await makeStaff(knex);
    doctor = await makeDoctor(knex);
    otherDoctor = await makeDoctor(knex);
    patient = await makePatient(knex, { doctors: [doctor] });
    hiddenPatient = await makePatient(knex, { doctors: [otherDoctor] });
    const appointment = (rowId: string, p: MadeUser, d: MadeUser, startsAt: string) =>
      makeAppointment(knex, { id: rowId, patient: p, doctor: d, startsAt, status: 'APPROVED' });
    // "aaaa0001": one the doctor may see, one they may not. "aaaa0002": two the doctor may not see.
    await appointment(id('aaaa0001', 1), patient, doctor, '2027-03-01T09:00:00Z');
    await appointment(id('aaaa0001', 2), hiddenPatient, otherDoctor, '2027-03-01T09:00:00Z');
    await appointment(id('aaaa0002', 1), hiddenPatient, otherDoctor, '2027-03-02T09:00:00Z');
    await appointment(id('aaaa0002', 2), hiddenPatient, otherDoctor, '2027-03-03T09:00:00Z');
    await knex('messages').insert([
      { id: id('bbbb0001', 1), sender_id: patient.id, receiver_id: doctor.id, content: 'mine' },
      { id: id('bbbb0001', 2), sender_id: hiddenPatient.id, receiver_id: otherDoctor.id, content: 'theirs' },
    ]);
    const token = (rowId: string, owner: MadeUser) =>
      knex('api_tokens').insert({
        id: rowId,
        user_id: owner.id,
        name: 'scripts',
        token_hash: randomBytes(32).toString('hex'),
        created_by: owner.id,
        created_at: new Date(),
        expires_at: null,
      });
    await token(id('cccc0001', 1), doctor);
    await token(id('cccc0001', 2), staff);
  });

  it('only records the actor may see are candidates: a hidden record never makes a prefix ambiguous', async () => {
    expect((await resolveAppointment(ctx(doctor), doctor, 'AAAA0001')).id).toBe(id('aaaa0001', 1));
    expect((await readMessage(ctx(doctor), 'bbbb0001')).id).toBe(id('bbbb0001', 1));
    const { apiToken } = await revokeToken(ctx(doctor), { id: 'cccc0001' });
    expect(apiToken.id).toBe(id('cccc0001', 1));
    expect(
      await db()
        .knex('api_tokens')
        .where({ id: id('cccc0001', 2) })
        .first(),
    ).toMatchObject({ revoked_at: null });
  });

  it('a prefix naming several visible records is exit 3 listing them', async () => {
    const error = await resolveAppointment(ctx(staff), staff, 'aaaa0001').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(`"aaaa0001" matches more than one appointment: ${id('aaaa0001', 1)}, ${id('aaaa0001', 2)}.`);
    expect((error as ValidationError).remedy).toBe('Give more characters of the id.');
  });

  it('too short, not an id, and not found: the same three messages for every kind', async () => {
    const attempts: Array<[string, (ref: string) => Promise<unknown>]> = [
      ['appointment', (ref) => resolveAppointment(ctx(doctor), doctor, ref)],
      ['message', (ref) => readMessage(ctx(doctor), ref)],
      ['API token', (ref) => revokeToken(ctx(doctor), { id: ref })],
    ];
    for (const [noun, attempt] of attempts) {
      const article = noun === 'message' ? 'a' : 'an';
      expect(await failure(attempt('aaaa000'))).toMatchObject({
        name: 'ValidationError',
        message: `"aaaa000" is too short: give ${article} ${noun}'s whole id or at least its first 8 characters.`,
      });
      expect(await failure(attempt("'; select 1 --"))).toMatchObject({ name: 'ValidationError', message: `"'; select 1 --" is not ${article} ${noun} id.` });
      expect(await failure(attempt('ffffffff'))).toMatchObject({ name: 'NotFoundError', message: `No ${noun} "ffffffff".` });
      await expect(attempt(`${id('ffffffff', 9)}0`)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("a record hidden from the actor is not found, and the admins' audit row names it only when the prefix names one", async () => {
    const denied = async (ref: string) => {
      expect(await failure(resolveAppointment(ctx(doctor), doctor, ref))).toMatchObject({ name: 'NotFoundError', message: `No appointment "${ref}".` });
      const [row] = await db().knex('audit_log').where({ actor_id: doctor.id, outcome: 'denied' }).orderBy('id', 'desc').limit(1);
      return row;
    };
    expect(await denied(id('aaaa0001', 2))).toMatchObject({ action: 'appointments.read', entity_id: id('aaaa0001', 2), patient_id: hiddenPatient.id });
    expect(await denied('aaaa0002-0000-4000-8000-000000000001')).toMatchObject({ entity_id: id('aaaa0002', 1) });
    expect(await denied('aaaa0002')).toMatchObject({ action: 'appointments.read', entity_id: null, patient_id: null });
  });
});

describe('noSuch', () => {
  it('one message and one remedy per kind, none sending a non-admin to an admin-only command alone', () => {
    const kinds: RecordKind[] = ['user', 'doctor', 'patient', 'appointment', 'message', 'api_token'];
    for (const kind of kinds) {
      const error = noSuch(kind, 'x');
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toMatch(/^No (user|doctor|patient|appointment|message|API token) "x"\.$/);
      expect(error.remedy).toMatch(/`clinic [a-z]+ [a-z]+`/);
    }
    expect(noSuch('user', 'x').remedy).toMatch(/username or id/);
    expect(noSuch('doctor', 'dr.who').message).toBe('No doctor "dr.who".');
  });
});
