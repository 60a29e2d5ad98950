import { beforeAll, describe, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { normaliseOutput } from '../support/snapshot.js';

/**
 * What people read, whole: a few commands' human output compared with the files in
 * __snapshots__/ (colours off, ids and timestamps normalised). Both backends must print the same
 * bytes, so each snapshot is one file for both. After a deliberate change of the output, update
 * them with `npx vitest run --config test/vitest.config.ts test/cli/snapshots.test.ts -u` and
 * review the diff of the .txt files.
 */
const NOW = new Date('2027-01-01T12:00:00Z'); // a Friday; Monday 2027-01-04 is ahead
const snapshot = (name: string) => `./__snapshots__/${name}.txt`;

describe('help', () => {
  it('clinic --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    await expect(result.stdout).toMatchFileSnapshot(snapshot('help'));
  });

  it('clinic appointments book --help', async () => {
    const result = await runCli(['appointments', 'book', '--help']);
    expect(result.code).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot(snapshot('appointments-book-help'));
  });
});

describeBackends('human output', (db) => {
  let staff: MadeUser;
  let doctor: MadeUser;
  const ids: Array<[string, string]> = [];
  const cli = (args: string[]) => runCli(args, { database: db().database, actor: staff, now: () => NOW, env: { NO_COLOR: '1' } });
  /** Appointment ids become a-000001…, their 8-character prefixes a-0001…: the same width, so tables keep their shape. */
  const normalise = (text: string) =>
    normaliseOutput(text, [
      ...ids.flatMap(([id, n]): Array<[string, string]> => [
        [id, `a-${n}-0000-0000-0000-000000000000`.slice(0, 36)],
        [id.slice(0, 8), `a-${n}`.padEnd(8, '0')],
      ]),
    ]);

  beforeAll(async () => {
    const knex = db().knex;
    await upsertSetting(knex, 'timezone', 'Europe/Lisbon', null);
    staff = await makeStaff(knex, { username: 'front.desk' });
    doctor = await makeDoctor(knex, {
      username: 'dr.house',
      fullName: 'Gregory House',
      specialty: 'Diagnostics',
      hours: [
        { weekday: 1, start: '09:00', end: '12:00' },
        { weekday: 1, start: '13:00', end: '17:00' },
        { weekday: 3, start: '09:00', end: '13:00' },
      ],
    });
    const ana = await makePatient(knex, { username: 'ana.lima', fullName: 'Ana Lima', doctors: [doctor] });
    const zoe = await makePatient(knex, { username: 'zoe.silva', fullName: 'Zoë Silva', doctors: [doctor] });
    const made = [
      await makeAppointment(knex, { patient: ana, doctor, startsAt: '2027-01-04T09:00:00Z', status: 'APPROVED', reason: 'Follow-up' }),
      await makeAppointment(knex, { patient: zoe, doctor, startsAt: '2027-01-04T09:30:00Z', minutes: 60, status: 'PENDING' }),
      await makeAppointment(knex, { patient: ana, doctor, startsAt: '2027-01-06T10:00:00Z', status: 'CANCELLED', reason: 'Cough' }),
    ];
    made.forEach((a, i) => ids.push([a.id, String(i + 1).padStart(2, '0')]));
  });

  it('doctors show', async () => {
    const result = await cli(['doctors', 'show', 'dr.house']);
    expect(result.code, result.stderr).toBe(0);
    await expect(normalise(result.stdout)).toMatchFileSnapshot(snapshot('doctors-show'));
  });

  it('appointments list (a table)', async () => {
    const result = await cli(['appointments', 'list', '--doctor', 'dr.house']);
    expect(result.code, result.stderr).toBe(0);
    await expect(normalise(result.stdout)).toMatchFileSnapshot(snapshot('appointments-list'));
  });

  it('an error: booking a taken slot (exit 7), its message and its remedy', async () => {
    const result = await cli(['appointments', 'book', '--patient', 'zoe.silva', '--doctor', 'dr.house', '--date', '2027-01-04', '--time', '09:00']);
    expect(result.code).toBe(7);
    expect(result.stdout).toBe('');
    await expect(normalise(result.stderr)).toMatchFileSnapshot(snapshot('error-slot-taken'));
  });

  it('an error: a mistyped flag is a usage error (exit 2) that suggests the right one', async () => {
    const result = await cli(['appointments', 'list', '--doctr', 'dr.house']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    await expect(normalise(result.stderr)).toMatchFileSnapshot(snapshot('error-usage'));
  });

  it('db status', async () => {
    const result = await cli(['db', 'status']);
    expect(result.code, result.stderr).toBe(0);
    // the one line that names the database differs by backend (and names no password)
    const target = db().target;
    const described =
      target.backend === 'embedded' ? `embedded database at ${target.dataDir}` : /PostgreSQL database at postgres:\/\/postgres@[^/\s]+\/clinic_t_\w+/;
    await expect(normaliseOutput(result.stdout, [[described, '<database>']])).toMatchFileSnapshot(snapshot('db-status'));
  });
});
