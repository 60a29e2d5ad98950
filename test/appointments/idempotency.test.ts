import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, type MadeUser, makeClinic, type Clinic } from '../support/factories.js';
import { MONDAY, TUESDAY, appointmentsCli, type Appointment } from './helpers.js';

describeBackends('appointments book --idempotency-key', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  const count = async () => Number((await db().knex('appointments').count({ n: '*' }).first())!.n);
  const bookArgs = (patient: MadeUser, doctor: MadeUser, date: string, time: string, key: string, extra: string[] = []) => [
    'book',
    '--json',
    '--patient',
    patient.username,
    '--doctor',
    doctor.username,
    '--date',
    date,
    '--time',
    time,
    '--idempotency-key',
    key,
    ...extra,
  ];

  it('a script that books 50 patients and runs twice creates 50 appointments, and the second run answers each with the first result', async () => {
    const doctor = await makeDoctor(db().knex, { slotMinutes: 15 });
    const patients: MadeUser[] = [];
    for (let i = 0; i < 50; i++) patients.push(await makePatient(db().knex, { doctors: [] }));
    const before = await count();
    const run = async () => {
      const results: Appointment[] = [];
      for (const [i, patient] of patients.entries()) {
        const minutes = 9 * 60 + i * 15;
        const date = minutes < 17 * 60 ? MONDAY : TUESDAY;
        const at = minutes < 17 * 60 ? minutes : minutes - 8 * 60;
        const time = `${String(Math.floor(at / 60)).padStart(2, '0')}:${String(at % 60).padStart(2, '0')}`;
        const result = await cli(c.staff, bookArgs(patient, doctor, date, time, `front-desk-${i}`));
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe('');
        results.push(result.json<Appointment>());
      }
      return results;
    };
    const first = await run();
    const second = await run();
    expect(await count()).toBe(before + 50);
    expect(second).toEqual(first);
    const keys = await db()
      .knex('appointments')
      .whereIn(
        'id',
        first.map((a) => a.id),
      )
      .pluck('external_id');
    expect(keys.sort()).toEqual(patients.map((_, i) => `front-desk-${i}`).sort());
  });

  it('the same key with another request is exit 7 IDEMPOTENCY_MISMATCH and writes nothing', async () => {
    const first = await cli(c.staff, bookArgs(c.patient, c.doctor, TUESDAY, '09:00', 'mismatch-1'));
    expect(first.code, first.stderr).toBe(0);
    const before = await count();
    for (const other of [
      bookArgs(c.patient, c.doctor, TUESDAY, '09:30', 'mismatch-1'),
      bookArgs(c.patient, c.doctor, TUESDAY, '09:00', 'mismatch-1', ['--reason', 'another reason']),
      bookArgs(c.patient, c.doctor, TUESDAY, '09:00', 'mismatch-1', ['--approve']),
      bookArgs(c.otherPatient, c.otherDoctor, TUESDAY, '09:00', 'mismatch-1'),
    ]) {
      const result = await cli(c.staff, other);
      expect(result.code, result.stderr).toBe(7);
      expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_MISMATCH' });
      expect(JSON.parse(result.stderr).error.message).toMatch(/mismatch-1" was already used for a different request/);
    }
    expect(await count()).toBe(before);
  });

  it('a repeat answers with the first result even after the slot was taken by it, and --next-available repeats return the first slot', async () => {
    const bookNext = () =>
      cli(c.staff, ['book', '--json', '--patient', c.patient.username, '--doctor', c.doctor.username, '--next-available', '--idempotency-key', 'next-1']);
    const first = await bookNext();
    expect(first.code, first.stderr).toBe(0);
    const again = await bookNext();
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<Appointment>().id).toBe(first.json<Appointment>().id);
  });

  it('a key that an import stored as externalId is the same key: the same booking repeats it, another is refused', async () => {
    const row = [`patient,doctor,date,time,externalId`, `${c.otherPatient.username},${c.otherDoctor.username},${TUESDAY},15:00,ext-7`].join('\n');
    const { runCli } = await import('../support/cli.js');
    const result = await runCli(['appointments', 'import', '-', '--format', 'csv', '--json'], {
      database: db().database,
      actor: c.staff,
      stdin: `${row}\n`,
      now: () => new Date('2027-01-01T12:00:00Z'),
    });
    expect(result.code, result.stderr).toBe(0);
    const same = await cli(c.staff, bookArgs(c.otherPatient, c.otherDoctor, TUESDAY, '15:00', 'ext-7'));
    expect(same.code, same.stderr).toBe(0);
    const other = await cli(c.staff, bookArgs(c.otherPatient, c.otherDoctor, TUESDAY, '15:30', 'ext-7'));
    expect(other.code).toBe(7);
    expect(JSON.parse(other.stderr).error.reason).toBe('IDEMPOTENCY_MISMATCH');
  });

  it('a key of more than 200 characters or with surrounding spaces is exit 3', async () => {
    for (const key of ['x'.repeat(201), ' padded', '']) {
      const result = await cli(c.staff, bookArgs(c.patient, c.doctor, TUESDAY, '16:00', key));
      expect(result.code, `${JSON.stringify(key)}: ${result.stderr}`).toBe(3);
    }
  });
});
