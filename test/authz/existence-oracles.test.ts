import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeDoctor, makeMessage, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { MONDAY, NOW, TUESDAY } from '../appointments/helpers.js';

/**
 * For a doctor or a patient, a record they may not see must look exactly like one that does not
 * exist: the same exit code, the same message (once the names typed are normalised) and the same
 * audit rows, on every path that names a patient, an appointment, a message or an API token.
 */
describeBackends('existence oracles', (db) => {
  let doctor: MadeUser;
  let patient: MadeUser; // on doctor's panel
  let hiddenPatient: MadeUser; // on the other doctor's panel only
  let hiddenAppointment: string; // hiddenPatient with the other doctor
  let ownAppointment: string; // patient with doctor
  let hiddenMessage: string; // between hiddenPatient and the other doctor
  let otherDoctor: MadeUser;
  let hiddenToken: string; // the other doctor's API token

  beforeAll(async () => {
    const knex = db().knex;
    await upsertSetting(knex, 'timezone', 'Europe/Lisbon', null);
    await makeStaff(knex);
    doctor = await makeDoctor(knex);
    otherDoctor = await makeDoctor(knex);
    patient = await makePatient(knex, { doctors: [doctor] });
    hiddenPatient = await makePatient(knex, { doctors: [otherDoctor] });
    const appointment = async (p: Actor, d: Actor, startsAt: string, minutes = 30) =>
      (await makeAppointment(knex, { patient: p, doctor: d, startsAt, minutes, status: 'APPROVED' })).id;
    hiddenAppointment = await appointment(hiddenPatient, otherDoctor, '2027-02-01T09:00:00Z');
    ownAppointment = await appointment(patient, doctor, '2027-02-02T09:00:00Z');
    // The patient's appointments with the other doctor, which the doctor may not see: in the way of clashes.
    await appointment(patient, otherDoctor, `${MONDAY}T10:00:00Z`);
    await appointment(patient, otherDoctor, `${TUESDAY}T09:30:00Z`, 60);
    [{ id: hiddenToken }] = await knex('api_tokens')
      .insert({
        user_id: otherDoctor.id,
        name: 'scripts',
        token_hash: randomBytes(32).toString('hex'),
        created_by: otherDoctor.id,
        created_at: new Date(),
        expires_at: null,
      })
      .returning('id');
    ({ id: hiddenMessage } = await makeMessage(knex, { sender: hiddenPatient, receiver: otherDoctor, content: 'private' }));
  });

  const cli = (actor: Actor, args: string[]) => runCli(args, { database: db().database, actor, now: () => NOW });

  /** What the actor and the admins can tell apart: exit code, stderr, stdout, and the audit rows added. */
  async function outcome(actor: Actor, args: string[], ref: string) {
    const before = Number((await db().knex('audit_log').max({ id: 'id' }).first())?.id ?? 0);
    const result = await cli(actor, args);
    const rows = await db().knex('audit_log').where('id', '>', before).orderBy('id').select('actor_id', 'action', 'entity', 'outcome', 'details');
    const normalise = (text: string) =>
      text
        .split(ref)
        .join('<ref>')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/\b[0-9a-f]{8}\b/g, '<id>');
    return {
      code: result.code,
      stdout: normalise(result.stdout),
      stderr: normalise(result.stderr),
      audit: rows.map((row) => normalise(JSON.stringify({ ...row, details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details }))),
    };
  }

  const ghostName = () => `ghost-${randomUUID().slice(0, 6)}`;
  const ghostPrefix = () => `ffff${randomUUID().slice(0, 4)}`;
  type Case = [name: string, actor: () => Actor, args: (ref: string) => string[], unknown: () => string, hidden: () => string];
  const asDoctor = () => doctor;
  const asPatient = () => patient;
  const book = (ref: string) => ['appointments', 'book', '--patient', ref, '--doctor', doctor.username, '--date', MONDAY, '--time', '14:00'];
  const cases: Case[] = [
    ['doctor: patients show USERNAME', asDoctor, (ref) => ['patients', 'show', ref], ghostName, () => hiddenPatient.username],
    ['doctor: patients show ID', asDoctor, (ref) => ['patients', 'show', ref], randomUUID, () => hiddenPatient.id],
    ['patient: patients show USERNAME', asPatient, (ref) => ['patients', 'show', ref], ghostName, () => hiddenPatient.username],
    ['doctor: appointments book --patient', asDoctor, book, ghostName, () => hiddenPatient.username],
    ['patient: appointments book --patient', asPatient, book, ghostName, () => hiddenPatient.username],
    ['doctor: appointments list --patient', asDoctor, (ref) => ['appointments', 'list', '--patient', ref], ghostName, () => hiddenPatient.username],
    ['patient: appointments list --patient', asPatient, (ref) => ['appointments', 'list', '--patient', ref], ghostName, () => hiddenPatient.username],
    ['doctor: messages send --to', asDoctor, (ref) => ['messages', 'send', '--to', ref, '--body', 'hello'], ghostName, () => hiddenPatient.username],
    ['patient: messages send --to', asPatient, (ref) => ['messages', 'send', '--to', ref, '--body', 'hello'], ghostName, () => hiddenPatient.username],
    ['doctor: messages thread', asDoctor, (ref) => ['messages', 'thread', ref], ghostName, () => hiddenPatient.username],
    ['doctor: appointments show ID', asDoctor, (ref) => ['appointments', 'show', ref], randomUUID, () => hiddenAppointment],
    ['doctor: appointments show PREFIX', asDoctor, (ref) => ['appointments', 'show', ref], ghostPrefix, () => hiddenAppointment.slice(0, 8)],
    ['patient: appointments show ID', asPatient, (ref) => ['appointments', 'show', ref], randomUUID, () => hiddenAppointment],
    ['patient: appointments show PREFIX', asPatient, (ref) => ['appointments', 'show', ref], ghostPrefix, () => hiddenAppointment.slice(0, 8)],
    ['doctor: appointments cancel ID', asDoctor, (ref) => ['appointments', 'cancel', ref, '--reason', 'x'], randomUUID, () => hiddenAppointment],
    [
      'doctor: appointments reschedule PREFIX',
      asDoctor,
      (ref) => ['appointments', 'reschedule', ref, '--date', MONDAY, '--time', '15:00'],
      ghostPrefix,
      () => hiddenAppointment.slice(0, 8),
    ],
    ['patient: appointments approve ID', asPatient, (ref) => ['appointments', 'approve', ref], randomUUID, () => hiddenAppointment],
    ['doctor: messages read ID', asDoctor, (ref) => ['messages', 'read', ref], randomUUID, () => hiddenMessage],
    ['doctor: messages read PREFIX', asDoctor, (ref) => ['messages', 'read', ref], ghostPrefix, () => hiddenMessage.slice(0, 8)],
    ['doctor: tokens revoke ID', asDoctor, (ref) => ['tokens', 'revoke', ref], randomUUID, () => hiddenToken],
    ['patient: tokens revoke PREFIX', asPatient, (ref) => ['tokens', 'revoke', ref], ghostPrefix, () => hiddenToken.slice(0, 8)],
  ];

  for (const [name, actor, args, unknown, hidden] of cases) {
    it(`${name}: unknown and hidden look the same`, async () => {
      const missing = unknown();
      const secret = hidden();
      const forUnknown = await outcome(actor(), args(missing), missing);
      const forHidden = await outcome(actor(), args(secret), secret);
      expect(forHidden).toEqual(forUnknown);
      expect([0, 6]).toContain(forHidden.code);
      // A refusal is an audited denial, whatever the form of the reference (full id, prefix, name).
      if (forHidden.code === 6) expect(forHidden.audit.filter((row) => row.includes('"outcome":"denied"'))).toHaveLength(1);
    });
  }

  it('a clash with an appointment the doctor may not see names nothing of it (booking and reschedule alike)', async () => {
    // The patient's appointments with the other doctor: MONDAY 10:00-10:30 and TUESDAY 09:30-10:30.
    const onMonday = await outcome(
      doctor,
      ['appointments', 'book', '--patient', patient.username, '--doctor', doctor.username, '--date', MONDAY, '--time', '10:00'],
      MONDAY,
    );
    const onTuesday = await outcome(
      doctor,
      ['appointments', 'book', '--patient', patient.username, '--doctor', doctor.username, '--date', TUESDAY, '--time', '10:00'],
      TUESDAY,
    );
    expect(onMonday.code).toBe(7);
    expect(onTuesday).toEqual(onMonday);
    expect(onMonday.stderr).not.toMatch(/<id>|10:00|09:30|10:30|with /);
    const moved = await outcome(doctor, ['appointments', 'reschedule', ownAppointment, '--date', MONDAY, '--time', '10:00'], MONDAY);
    expect(moved.code).toBe(7);
    expect(moved.stderr).toBe(onMonday.stderr);
  });

  it('staff still learn which appointment is in the way', async () => {
    const staff = await makeStaff(db().knex);
    const result = await cli(staff, ['appointments', 'book', '--patient', patient.username, '--doctor', doctor.username, '--date', MONDAY, '--time', '10:00']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(new RegExp(`already has appointment [0-9a-f]{8} at ${MONDAY} 10:00-10:30 with ${otherDoctor.username}`));
  });

  it('the denial is audited for the admins, naming the hidden patient', async () => {
    await cli(doctor, ['patients', 'show', hiddenPatient.username]);
    const [row] = await db().knex('audit_log').where({ actor_id: doctor.id, action: 'patients.read', outcome: 'denied' }).orderBy('id', 'desc').limit(1);
    expect(row).toMatchObject({ entity: 'patient', entity_id: hiddenPatient.id, patient_id: hiddenPatient.id });
  });
});
