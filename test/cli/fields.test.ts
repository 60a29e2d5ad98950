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
    // --fields implies --json, so even its own parse error is the JSON object.
    for (const names of ['', 'id,']) {
      const empty = await cli(c.staff, ['list', '--fields', names]);
      expect(empty.code).toBe(2);
      expect(JSON.parse(empty.stderr).error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/Give JSON field names separated by commas/) });
    }
  });

  it('a list checks the names whatever it finds: an unknown one is exit 2 on an empty day too', async () => {
    const asAdmin = (args: string[]) => runCli(args, { database: db().database, actor: c.admin });
    for (const args of [
      ['appointments', 'list', '--date', '2031-01-06', '--fields', 'id,nope'],
      ['patients', 'list', '--search', 'nobody-matches-this', '--fields', 'id,nope'],
      ['doctors', 'list', '--specialty', 'none-such', '--fields', 'nope'],
      ['users', 'list', '--status', 'disabled', '--fields', 'nope'],
      ['messages', 'inbox', '--fields', 'nope'],
    ]) {
      const result = await asAdmin(args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(JSON.parse(result.stderr).error.message).toMatch(/Unknown field\(s\) for --fields: (id, )?nope/);
    }
    // The fields a list prints are all declared: asked for each, an empty list still passes.
    expect((await asAdmin(['appointments', 'list', '--date', '2031-01-06', '--fields', 'id,seriesId,timeZone'])).code).toBe(0);
  });

  it('a write checks the names before it writes: an unknown one is exit 2 with nothing written, and every field it prints is known', async () => {
    const count = async (table: string) => Number((await db().knex(table).count<Array<{ n: string | number }>>({ n: '*' }))[0]!.n);
    const asStaff = (args: string[]) => runCli(args, { database: db().database, actor: c.staff });
    const booking = ['book', '--patient', c.patient.username, '--doctor', c.doctor.username, '--date', MONDAY, '--time', '11:00'];
    const appointments = await count('appointments');
    const refused = await cli(c.staff, [...booking, '--fields', 'id,tme']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(JSON.parse(refused.stderr).error.message).toMatch(/Unknown field\(s\) for --fields: tme\./);
    expect(JSON.parse(refused.stderr).error.remedy).toMatch(/startTime/);
    expect(await count('appointments')).toBe(appointments);

    const messages = await count('messages');
    expect((await asStaff(['messages', 'send', '--to', c.doctor.username, '--body', 'Room 3 is free.', '--fields', 'id,body'])).code).toBe(2);
    expect(await count('messages')).toBe(messages);
    const users = await count('users');
    expect((await asStaff(['patients', 'add', '--username', 'pt.fields', '--name', 'Field Test', '--fields', 'id,dob'])).code).toBe(2);
    expect((await asStaff(['doctors', 'add', '--username', 'dr.fields', '--name', 'Field Test', '--fields', 'id,license'])).code).toBe(2);
    expect(await count('users')).toBe(users);

    // Every field a write prints passes the check: asked for all of them, it prints them all.
    const booked = await cli(c.staff, [...booking, '--json']);
    expect(booked.code, booked.stderr).toBe(0);
    const id = booked.json<{ id: string }>().id;
    const fields = Object.keys(booked.json<object>());
    const cancelled = await cli(c.staff, ['cancel', id, '--reason', 'moved away', '--fields', fields.join(',')]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(Object.keys(cancelled.json<object>())).toEqual(fields);
    const series = await cli(c.staff, [...booking.slice(0, -4), '--date', MONDAY, '--time', '14:00', '--repeat', 'weekly', '--count', '2', '--json']);
    expect(series.code, series.stderr).toBe(0);
    const seriesFields = Object.keys(series.json<object>());
    const again = await cli(c.staff, [
      ...booking.slice(0, -4),
      '--date',
      MONDAY,
      '--time',
      '15:00',
      '--repeat',
      'weekly',
      '--count',
      '2',
      '--fields',
      seriesFields.join(','),
    ]);
    expect(again.code, again.stderr).toBe(0);
    for (const [args, shown] of [
      [
        ['messages', 'send', '--to', c.doctor.username, '--body', 'Room 3 is free.', '--json'],
        ['messages', 'send', '--to', c.doctor.username, '--body', 'Room 4 too.'],
      ],
      [
        ['patients', 'add', '--username', 'pt.fields', '--name', 'Field Test', '--json'],
        ['patients', 'add', '--username', 'pt.fields2', '--name', 'Field Test'],
      ],
      [
        ['doctors', 'add', '--username', 'dr.fields', '--name', 'Field Test', '--json'],
        ['doctors', 'add', '--username', 'dr.fields2', '--name', 'Field Test'],
      ],
    ] as const) {
      const first = await asStaff([...args]);
      expect(first.code, first.stderr).toBe(0);
      const keys = Object.keys(first.json<object>());
      const second = await asStaff([...shown, '--fields', keys.join(',')]);
      expect(second.code, second.stderr).toBe(0);
      expect(Object.keys(second.json<object>())).toEqual(keys);
    }
  });
});
