import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makeStaff } from '../support/factories.js';

const WEEKDAYS_9_TO_5 = [
  { day: 'mon', ranges: ['09:00-17:00'] },
  { day: 'tue', ranges: ['09:00-17:00'] },
  { day: 'wed', ranges: ['09:00-17:00'] },
  { day: 'thu', ranges: ['09:00-17:00'] },
  { day: 'fri', ranges: ['09:00-17:00'] },
  { day: 'sat', ranges: [] },
  { day: 'sun', ranges: [] },
];

describeBackends('doctors through the CLI', (db) => {
  let admin: Actor;
  let staff: Actor;
  const cli = (args: string[], actor: Actor | null, stdin?: string) =>
    runCli(args, { database: db().database, actor, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    admin = await makeAdmin(db().knex);
    staff = await makeStaff(db().knex);
    await storeInitialTimeZone(db().knex, 'Europe/Lisbon');
  });

  it('adds a doctor with the default week, in one JSON object with exactly the DESIGN fields', async () => {
    const result = await cli(
      [
        'doctors',
        'add',
        '--username',
        'Dr.House',
        '--name',
        'Gregory House',
        '--specialty',
        'Diagnostics',
        '--license',
        'NJ-1234',
        '--email',
        'house@example.org',
        '--json',
      ],
      staff,
    );
    expect(result.code, result.stderr).toBe(0);
    const doctor = result.json<Record<string, unknown>>();
    expect(Object.keys(doctor).sort()).toEqual(
      ['id', 'username', 'fullName', 'email', 'role', 'status', 'createdAt', 'updatedAt', 'specialty', 'licenseNumber', 'slotMinutes', 'hours'].sort(),
    );
    expect(doctor).toMatchObject({
      username: 'dr.house',
      fullName: 'Gregory House',
      email: 'house@example.org',
      role: 'doctor',
      status: 'active',
      specialty: 'Diagnostics',
      licenseNumber: 'NJ-1234',
      slotMinutes: 30,
      hours: WEEKDAYS_9_TO_5,
    });
    const user = await db().knex('users').where({ username: 'dr.house' }).first();
    expect(user.password_hash).toBeNull();
    const audit = await db().knex('audit_log').where({ action: 'doctors.add', entity_id: doctor.id });
    expect(audit).toHaveLength(1);
    // With --json stderr stays empty on success; a person is told that the account cannot log in yet.
    expect(result.stderr).toBe('');
    const human = await cli(['doctors', 'add', '--username', 'dr.chase', '--name', 'Robert Chase'], staff);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/cannot log in/);
  });

  it('adds a doctor with a password from stdin who can then be checked with bcrypt', async () => {
    const result = await cli(
      ['doctors', 'add', '--username', 'dr.wilson', '--name', 'James Wilson', '--slot-minutes', '20', '--password-stdin', '--json'],
      admin,
      'correct horse battery staple\n',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ slotMinutes: 20 });
    const user = await db().knex('users').where({ username: 'dr.wilson' }).first();
    expect(user.password_hash).toMatch(/^\$2[aby]\$12\$/);
    const audit = await db().knex('audit_log').where({ action: 'doctors.add' }).select('details');
    expect(JSON.stringify(audit)).not.toContain('correct horse');
  });

  it('refuses a weak password (exit 3) and writes nothing', async () => {
    const result = await cli(['doctors', 'add', '--username', 'dr.weak', '--name', 'Weak', '--password-stdin'], admin, 'password1\n');
    expect(result.code).toBe(3);
    expect(await db().knex('users').where({ username: 'dr.weak' }).first()).toBeUndefined();
  });

  it('refuses a taken username whatever its case (exit 7), and a taken licence (exit 7), writing nothing', async () => {
    const taken = await cli(['doctors', 'add', '--username', 'DR.HOUSE', '--name', 'Impostor'], admin);
    expect(taken.code).toBe(7);
    expect(taken.stderr).toMatch(/username "dr.house" is taken/);
    const license = await cli(['doctors', 'add', '--username', 'dr.cuddy', '--name', 'Lisa Cuddy', '--license', 'NJ-1234'], admin);
    expect(license.code).toBe(7);
    expect(license.stderr).toMatch(/licence number "NJ-1234" belongs to another doctor/);
    expect(await db().knex('users').where({ username: 'dr.cuddy' }).first()).toBeUndefined();
  });

  it.each([
    [['--username', 'Dr House', '--name', 'X'], /Invalid username/],
    [['--username', 'dr.x', '--name', 'X', '--slot-minutes', '3'], /from 5 to 480/],
    [['--username', 'dr.x', '--name', 'X', '--slot-minutes', '500'], /from 5 to 480/],
    [['--username', 'dr.x', '--name', 'X', '--slot-minutes', '7'], /multiple of 5/],
    [['--username', 'dr.x', '--name', 'X', '--email', 'not-an-email'], /Invalid email/],
    [['--username', 'dr.x', '--name', 'X', '--license', '#!?'], /licence number/],
  ])('validates %j (exit 3)', async (args, message) => {
    const result = await cli(['doctors', 'add', ...args], admin);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('needs --username and --name (usage, exit 2)', async () => {
    expect((await cli(['doctors', 'add', '--name', 'X'], admin)).code).toBe(2);
  });

  it('lists doctors as a table or a JSON array, filtered by specialty in any case', async () => {
    await makeDoctor(db().knex, { username: 'dr.heart', specialty: 'Cardiology' });
    const table = await cli(['doctors', 'list'], staff);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/dr\.heart/);
    expect(table.stdout).toMatch(/dr\.house.*Diagnostics/);
    const json = await cli(['doctors', 'list', '--specialty', 'cardiology', '--json'], staff);
    const doctors = json.json<Array<Record<string, unknown>>>();
    expect(doctors.map((d) => d.username)).toEqual(['dr.heart']);
    expect(Object.keys(doctors[0]!)).not.toContain('hours');
    const none = await cli(['doctors', 'list', '--specialty', 'astrology'], staff);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/No doctors found/);
  });

  it('shows a doctor by username or id, and exits 6 for an unknown one', async () => {
    const byName = await cli(['doctors', 'show', 'dr.house', '--json'], staff);
    const { id } = byName.json<{ id: string }>();
    const byId = await cli(['doctors', 'show', id, '--json'], staff);
    expect(byId.json()).toEqual(byName.json());
    const human = await cli(['doctors', 'show', 'dr.house'], staff);
    expect(human.stdout).toMatch(/licence\s+NJ-1234/);
    expect(human.stdout).toMatch(/mon\s+09:00-17:00/);
    expect(human.stdout).toMatch(/sat\s+off/);
    const missing = await cli(['doctors', 'show', 'dr.nobody'], staff);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/No doctor "dr.nobody"/);
  });

  it('updates a doctor, clears optional fields with "", and refuses an empty update', async () => {
    const result = await cli(['doctors', 'update', 'dr.house', '--name', 'G. House', '--specialty', '', '--slot-minutes', '45', '--json'], staff);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ fullName: 'G. House', specialty: null, slotMinutes: 45, licenseNumber: 'NJ-1234' });
    expect(await db().knex('audit_log').where({ action: 'doctors.update' })).toHaveLength(1);
    const nothing = await cli(['doctors', 'update', 'dr.house'], staff);
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toMatch(/Nothing to update/);
    const badSlot = await cli(['doctors', 'update', 'dr.house', '--slot-minutes', '0'], staff);
    expect(badSlot.code).toBe(3);
    const license = await cli(['doctors', 'update', 'dr.wilson', '--license', 'NJ-1234'], staff);
    expect(license.code).toBe(7);
    const same = await cli(['doctors', 'update', 'dr.house', '--license', 'NJ-1234'], staff);
    expect(same.code).toBe(0);
    expect((await cli(['doctors', 'update', 'dr.nobody', '--name', 'X'], staff)).code).toBe(6);
  });

  it('moves updatedAt when only the doctor profile changes', async () => {
    const before = (await cli(['doctors', 'show', 'dr.wilson', '--json'], staff)).json<{ updatedAt: string }>();
    const after = await cli(['doctors', 'update', 'dr.wilson', '--specialty', 'Oncology', '--json'], staff);
    expect(after.json<{ updatedAt: string; specialty: string }>().specialty).toBe('Oncology');
    expect(Date.parse(after.json<{ updatedAt: string }>().updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  it('sets the hours of some days only and shows the week', async () => {
    const split = await cli(['doctors', 'hours', 'set', 'dr.house', 'mon-wed,fri', '09:00-12:00,13:00-17:00', '--json'], staff);
    expect(split.code, split.stderr).toBe(0);
    const sat = await cli(['doctors', 'hours', 'set', 'dr.house', 'sat', '10:00-14:00', '--json'], staff);
    expect(sat.code).toBe(0);
    const off = await cli(['doctors', 'hours', 'set', 'dr.house', 'wed', 'off', '--json'], staff);
    expect(off.json()).toEqual([
      { day: 'mon', ranges: ['09:00-12:00', '13:00-17:00'] },
      { day: 'tue', ranges: ['09:00-12:00', '13:00-17:00'] },
      { day: 'wed', ranges: [] },
      { day: 'thu', ranges: ['09:00-17:00'] },
      { day: 'fri', ranges: ['09:00-12:00', '13:00-17:00'] },
      { day: 'sat', ranges: ['10:00-14:00'] },
      { day: 'sun', ranges: [] },
    ]);
    const show = await cli(['doctors', 'hours', 'show', 'dr.house'], staff);
    expect(show.stdout).toMatch(/^mon\s+09:00-12:00, 13:00-17:00$/m);
    expect(show.stdout).toMatch(/^wed\s+off$/m);
    const showJson = await cli(['doctors', 'show', 'dr.house', '--json'], staff);
    expect(showJson.json<{ hours: unknown }>().hours).toEqual(off.json());
    expect(await db().knex('audit_log').where({ action: 'doctors.hours.set' })).toHaveLength(3);
  });

  it.each([
    [['mon', '09:00-12:00,11:00-13:00'], /overlap/],
    [['mon', '17:00-09:00'], /ends before it starts/],
    [['funday', '09:00-12:00'], /Unknown day "funday"/],
    [['mon', '9am-5pm'], /not a time of day/],
    [['mon', '09:00-25:00'], /"25:00" is not a time of day/],
  ])('refuses hours %j with exit 3 and changes nothing', async (args, message) => {
    const before = await cli(['doctors', 'hours', 'show', 'dr.house', '--json'], staff);
    const result = await cli(['doctors', 'hours', 'set', 'dr.house', ...args], staff);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect((await cli(['doctors', 'hours', 'show', 'dr.house', '--json'], staff)).json()).toEqual(before.json());
  });

  it('adds time off in the clinic time zone: a date alone is the whole day', async () => {
    const result = await cli(
      ['doctors', 'timeoff', 'add', 'dr.house', '--from', '2026-07-01', '--to', '2026-07-03', '--reason', 'Conference', '--json'],
      staff,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({
      doctor: 'dr.house',
      startsAt: '2026-06-30T23:00:00.000Z',
      endsAt: '2026-07-03T23:00:00.000Z',
      reason: 'Conference',
    });
    const hours = await cli(['doctors', 'timeoff', 'add', 'dr.house', '--from', '2026-12-24T12:00', '--to', '2026-12-24T17:30', '--json'], staff);
    expect(hours.json()).toMatchObject({ startsAt: '2026-12-24T12:00:00.000Z', endsAt: '2026-12-24T17:30:00.000Z', reason: null });
    const list = await cli(['doctors', 'timeoff', 'list', 'dr.house', '--json'], staff);
    const rows = list.json<Array<Record<string, unknown>>>();
    expect(rows.map((row) => row.reason)).toEqual(['Conference', null]);
    expect(Object.keys(rows[0]!).sort()).toEqual(['createdAt', 'doctor', 'doctorId', 'endsAt', 'id', 'reason', 'startsAt']);
    const table = await cli(['doctors', 'timeoff', 'list', 'dr.house'], staff);
    expect(table.stdout).toMatch(/2026-07-01 00:00.*2026-07-03 24:00.*Conference/);
    expect(table.stdout).toMatch(/2026-12-24 12:00.*2026-12-24 17:30/);
    expect(await db().knex('audit_log').where({ action: 'doctors.timeoff.add' })).toHaveLength(2);
  });

  it.each([
    [['--from', '2026-03-29T01:30', '--to', '2026-03-29T05:00'], /does not exist in Europe\/Lisbon/],
    [['--from', '2026-07-05', '--to', '2026-07-04'], /ends .* before it starts/],
    [['--from', '2026-07-05T10:00', '--to', '2026-07-05T10:00'], /ends .* before it starts/],
    [['--from', '2026-02-30', '--to', '2026-03-01'], /Invalid --from/],
    [['--from', 'soon', '--to', '2026-03-01'], /Invalid --from/],
    [['--from', '2026-07-01', '--to', '2026-07-01', '--reason', 'x'.repeat(501)], /at most 500/],
  ])('refuses time off %j with exit 3', async (args, message) => {
    const result = await cli(['doctors', 'timeoff', 'add', 'dr.house', ...args], staff);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
  });

  it('shows an empty time-off list as a notice, or [] in JSON', async () => {
    const json = await cli(['doctors', 'timeoff', 'list', 'dr.wilson', '--json'], staff);
    expect(json.json()).toEqual([]);
    const human = await cli(['doctors', 'timeoff', 'list', 'dr.wilson'], staff);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/No time off/);
  });
});
