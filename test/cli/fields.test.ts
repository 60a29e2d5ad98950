import { beforeAll, expect, it } from 'vitest';
import { MONDAY, appointmentsCli, booker } from '../appointments/helpers.js';
import { makeClinic, type Clinic } from '../support/factories.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';

describeBackends('--fields', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
    await book(c.staff, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '09:00' });
  });

  it('selects fields of each object of a list, in the order given, and implies --json', async () => {
    const result = await cli(c.staff, ['list', '--from', MONDAY, '--fields', 'status,startTime,id']);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.json<Array<Record<string, unknown>>>();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row)).toEqual(['status', 'startTime', 'id']);
  });

  it('selects fields of one object (a write prints only them; stderr stays empty)', async () => {
    const result = await cli(c.staff, [
      'book',
      '--patient',
      c.otherPatient.username,
      '--doctor',
      c.otherDoctor.username,
      '--date',
      MONDAY,
      '--time',
      '10:00',
      '--json',
      '--fields',
      'id,timeZone',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(Object.keys(result.json<object>())).toEqual(['id', 'timeZone']);
    const users = await runCli(['users', 'list', '--fields', 'username'], { database: db().database, actor: c.admin });
    expect(users.code, users.stderr).toBe(0);
    expect(users.json<Array<Record<string, unknown>>>().every((user) => Object.keys(user).join() === 'username')).toBe(true);
  });

  it('an unknown field is exit 2 naming the fields there are; a malformed list is exit 2', async () => {
    const unknown = await cli(c.staff, ['list', '--from', MONDAY, '--fields', 'id,startTim']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(JSON.parse(unknown.stderr).error.message).toMatch(/Unknown field\(s\) for --fields: startTim/);
    expect(JSON.parse(unknown.stderr).error.remedy).toMatch(/startTime/);
    const malformed = await cli(c.staff, ['list', '--fields', 'id,,status']);
    expect(malformed.code).toBe(2);
  });
});
