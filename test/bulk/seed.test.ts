import type { Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { verifyPassword } from '../../src/domain/identity/passwords.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';

const NOW = new Date('2027-01-06T10:00:00Z'); // a Wednesday
const now = () => NOW;

/** Everything the seed writes, without the generated ids and clocks, in a stable order. */
async function snapshot(knex: Knex) {
  const users = await knex('users').select('username', 'full_name', 'email', 'role', 'status').orderBy('username');
  const doctors = await knex('doctors').join('users', 'users.id', 'doctors.user_id').select('username', 'specialty', 'slot_minutes').orderBy('username');
  const hours = await knex('doctor_hours')
    .join('users', 'users.id', 'doctor_hours.doctor_id')
    .select('username', 'weekday', 'start_time', 'end_time')
    .orderBy(['username', 'weekday', 'start_time']);
  const patients = await knex('patients').join('users', 'users.id', 'patients.user_id').select('username', 'date_of_birth', 'phone').orderBy('username');
  const panel = await knex('doctor_patients')
    .join('users as d', 'd.id', 'doctor_patients.doctor_id')
    .join('users as p', 'p.id', 'doctor_patients.patient_id')
    .select('d.username as doctor', 'p.username as patient')
    .orderBy(['doctor', 'patient']);
  const appointments = await knex('appointments')
    .join('users as d', 'd.id', 'appointments.doctor_id')
    .join('users as p', 'p.id', 'appointments.patient_id')
    .select('external_id', 'd.username as doctor', 'p.username as patient', 'starts_at', 'ends_at', 'appointments.status', 'reason')
    .orderBy('external_id');
  return { users, doctors, hours, patients, panel, appointments };
}

describeBackends('db seed', (db) => {
  let twin: TestDatabase;
  const seed = (args: string[], database = db(), env: NodeJS.ProcessEnv = {}) =>
    runCli(['db', 'seed', ...args, '--json'], { database: database.database, now, env });

  beforeAll(async () => {
    twin = await createTestDatabase(db().backend);
    for (const database of [db(), twin]) await upsertSetting(database.knex, 'timezone', 'Europe/Lisbon', null);
  });
  afterAll(async () => {
    await twin?.drop();
  });

  it('refuses when CLINIC_ENV=production (exit 5) and writes nothing, unless --force', async () => {
    const refused = await seed(['--seed', '3', '--doctors', '2', '--patients', '2', '--appointments', '0'], twin, { CLINIC_ENV: 'production' });
    expect(refused.code).toBe(5);
    expect(JSON.parse(refused.stderr).error.message).toMatch(/CLINIC_ENV is "production"/);
    expect(await twin.knex('users').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('gives identical data for the same seed, in bulk, and adds nothing the second time', async () => {
    const args = ['--seed', '42', '--doctors', '4', '--patients', '30', '--appointments', '500'];
    const first = await seed(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({
      seed: 42,
      doctors: { created: 4, existing: 0 },
      patients: { created: 30, existing: 0 },
      appointments: { imported: 500, skipped: 0, rejected: 0 },
      demo: null,
    });
    const before = await snapshot(db().knex);
    expect(before.appointments).toHaveLength(500);
    expect(before.appointments.every((a) => a.starts_at > NOW)).toBe(true);

    const second = await seed(args);
    expect(second.json()).toMatchObject({
      doctors: { created: 0, existing: 4 },
      patients: { created: 0, existing: 30 },
      appointments: { imported: 0, skipped: 500, rejected: 0 },
    });
    expect(await snapshot(db().knex)).toEqual(before);

    // The same seed on another, empty database: the very same rows.
    const forced = await seed(args, twin, { CLINIC_ENV: 'production' });
    expect(forced.code).toBe(5);
    expect((await seed([...args, '--force'], twin, { CLINIC_ENV: 'production' })).code).toBe(0);
    expect(await snapshot(twin.knex)).toEqual(before);

    // Another seed gives other people.
    const other = await seed(['--seed', '43', '--doctors', '4', '--patients', '30', '--appointments', '0'], twin);
    expect(other.json()).toMatchObject({ doctors: { created: expect.any(Number) } });
    expect((await snapshot(twin.knex)).users.length).toBeGreaterThan(before.users.length);
  });

  it('--demo loads a demo clinic with generated passwords shown once, and a second run adds nothing', async () => {
    const first = await seed(['--demo']);
    expect(first.code).toBe(0);
    const summary = first.json<{
      demo: {
        doctors: number;
        patients: number;
        messages: number;
        appointments: { imported: number };
        accounts: Array<{ username: string; role: string; password: string }>;
      };
    }>();
    expect(summary.demo.doctors).toBe(4);
    expect(summary.demo.patients).toBe(20);
    expect(summary.demo.messages).toBe(3);
    expect(summary.demo.appointments.imported).toBeGreaterThan(20);
    expect(summary.demo.accounts.map((a) => a.role).sort()).toEqual(['doctor', 'patient', 'staff']);
    const passwords = summary.demo.accounts.map((a) => a.password);
    expect(new Set(passwords).size).toBe(3);
    for (const account of summary.demo.accounts) {
      expect(account.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      const row = await db().knex('users').where({ username: account.username }).first();
      expect(await verifyPassword(account.password, row.password_hash)).toBe(true);
    }
    const statuses = await db()
      .knex('appointments')
      .join('users', 'users.id', 'appointments.doctor_id')
      .whereIn('users.username', ['dr.okafor', 'dr.tanaka', 'dr.silva', 'dr.weber'])
      .distinct('appointments.status');
    expect(statuses.map((s) => s.status).sort()).toEqual(expect.arrayContaining(['APPROVED', 'COMPLETED', 'PENDING']));
    // Today (Wednesday, 10:00 in Lisbon) has a day to show: three doctors work, three to five visits
    // each; what is over is done, what has begun is checked in, what is to come is booked.
    const today = await db()
      .knex('appointments')
      .where('starts_at', '>=', '2027-01-06T00:00:00Z')
      .andWhere('starts_at', '<', '2027-01-07T00:00:00Z')
      .select('starts_at', 'ends_at', 'status');
    expect(today.length).toBeGreaterThanOrEqual(9);
    for (const visit of today) {
      const [start, end] = [new Date(visit.starts_at), new Date(visit.ends_at)];
      const expected = end <= NOW ? ['COMPLETED', 'NO_SHOW'] : start <= NOW ? ['CHECKED_IN'] : ['APPROVED', 'PENDING'];
      expect(expected, `${start.toISOString()}–${end.toISOString()}`).toContain(visit.status);
    }
    expect(new Set(today.map((visit) => visit.status)).size).toBeGreaterThanOrEqual(2);
    const before = await snapshot(db().knex);

    const second = await seed(['--demo']);
    expect(second.json()).toMatchObject({ demo: { doctors: 0, patients: 0, messages: 0, accounts: [], appointments: { imported: 0 } } });
    expect(await snapshot(db().knex)).toEqual(before);

    const human = await runCli(['db', 'seed', '--demo'], { database: db().database, now });
    expect(human.stdout).toMatch(/already there: its accounts keep their passwords/);
  });
});
