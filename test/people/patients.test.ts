import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient, makeStaff } from '../support/factories.js';

const PATIENT_FIELDS = ['id', 'username', 'fullName', 'email', 'role', 'status', 'createdAt', 'updatedAt', 'dateOfBirth', 'phone'];

describeBackends('patients through the CLI', (db) => {
  let admin: Actor;
  let staff: Actor;
  let house: Actor;
  let wilson: Actor;
  const cli = (args: string[], actor: Actor | null = staff, options: { stdin?: string; now?: () => Date } = {}) =>
    runCli(args, { database: db().database, actor, ...options });
  const usernames = (result: { json<T>(): T }) => result.json<Array<{ username: string }>>().map((p) => p.username);

  beforeAll(async () => {
    admin = await makeAdmin(db().knex);
    staff = await makeStaff(db().knex);
    house = await makeDoctor(db().knex, { username: 'dr.house' });
    wilson = await makeDoctor(db().knex, { username: 'dr.wilson' });
    await storeInitialTimeZone(db().knex, 'Europe/Lisbon');
  });

  it('adds a patient on the panels of the given doctors, in one JSON object with the DESIGN fields', async () => {
    const result = await cli([
      'patients',
      'add',
      '--username',
      'Jose.Conceicao',
      '--name',
      'José Conceição',
      '--dob',
      '1975-04-25',
      '--phone',
      '+351 912 345 678',
      '--email',
      'jose@example.org',
      '--doctor',
      'dr.house',
      '--doctor',
      'DR.WILSON,dr.house',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const patient = result.json<Record<string, unknown>>();
    expect(Object.keys(patient).sort()).toEqual([...PATIENT_FIELDS, 'doctors'].sort());
    expect(patient).toMatchObject({
      username: 'jose.conceicao',
      fullName: 'José Conceição',
      role: 'patient',
      status: 'active',
      dateOfBirth: '1975-04-25',
      phone: '+351 912 345 678',
      email: 'jose@example.org',
      doctors: [
        { id: house.id, username: 'dr.house', fullName: expect.any(String) },
        { id: wilson.id, username: 'dr.wilson', fullName: expect.any(String) },
      ],
    });
    const panel = await db().knex('doctor_patients').where({ patient_id: patient.id });
    expect(panel).toHaveLength(2);
    const audit = await db().knex('audit_log').where({ action: 'patients.add', patient_id: patient.id });
    expect(audit).toHaveLength(1);
  });

  it('adds a patient with a password read from stdin, and without one the account has no hash', async () => {
    const withPassword = await cli(['patients', 'add', '--username', 'maria', '--name', 'María Ñúñez', '--password-stdin'], staff, {
      stdin: 'Tr0ub4dor&3xyz-quiet\n',
    });
    expect(withPassword.code, withPassword.stderr).toBe(0);
    expect((await db().knex('users').where({ username: 'maria' }).first()).password_hash).toMatch(/^\$2/);
    const without = await cli(['patients', 'add', '--username', 'ana_lima', '--name', 'Ana Lima', '--doctor', 'dr.wilson']);
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(/username\s+ana_lima/);
    expect(without.stdout).toMatch(/doctors\s+dr\.wilson/);
    expect((await db().knex('users').where({ username: 'ana_lima' }).first()).password_hash).toBeNull();
  });

  it('refuses an unknown doctor (exit 6) and writes nothing at all', async () => {
    const result = await cli(['patients', 'add', '--username', 'lost', '--name', 'Lost', '--doctor', 'dr.house', '--doctor', 'dr.nobody']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/No doctor "dr.nobody"/);
    expect(await db().knex('users').where({ username: 'lost' }).first()).toBeUndefined();
  });

  it('refuses a taken username in any case (exit 7)', async () => {
    const result = await cli(['patients', 'add', '--username', 'MARIA', '--name', 'Another Maria']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/taken/);
  });

  it.each([
    [['--dob', '2026-11-26'], /in the future/],
    [['--dob', '1899-12-31'], /before 1900/],
    [['--dob', '2001-02-29'], /not a date in the calendar/],
    [['--dob', '12/05/1990'], /YYYY-MM-DD/],
    [['--phone', 'ring ring'], /Invalid phone/],
    [['--email', 'x@y'], /Invalid email/],
    [['--username', 'Bad Name'], /Invalid username/],
    [['--username', 'x'], /Invalid username/],
    [['--name', ''], /Invalid name/],
  ])('validates %j (exit 3)', async (args, message) => {
    const base = ['--username', 'valid.one', '--name', 'Valid One'];
    const result = await cli(['patients', 'add', ...base, ...args], staff, { now: () => new Date('2026-11-25T12:00:00Z') });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('checks the date of birth against today in the clinic time zone', async () => {
    // 23:30 UTC on 25 Nov is already 26 Nov in Tokyo... but the clinic is in Lisbon: still the 25th.
    const now = () => new Date('2026-11-25T23:30:00Z');
    const result = await cli(['patients', 'add', '--username', 'newborn', '--name', 'New Born', '--dob', '2026-11-26'], staff, { now });
    expect(result.code).toBe(3);
    const today = await cli(['patients', 'add', '--username', 'newborn', '--name', 'New Born', '--dob', '2026-11-25', '--json'], staff, { now });
    expect(today.code, today.stderr).toBe(0);
  });

  it('lists patients, by doctor and by a search that ignores case and accents', async () => {
    const all = await cli(['patients', 'list', '--json']);
    expect(usernames(all)).toEqual(['ana_lima', 'jose.conceicao', 'maria', 'newborn']);
    expect(Object.keys(all.json<Array<Record<string, unknown>>>()[0]!).sort()).toEqual([...PATIENT_FIELDS].sort());
    expect(usernames(await cli(['patients', 'list', '--doctor', 'dr.house', '--json']))).toEqual(['jose.conceicao']);
    expect(usernames(await cli(['patients', 'list', '--doctor', 'dr.wilson', '--json']))).toEqual(['ana_lima', 'jose.conceicao']);
    expect(usernames(await cli(['patients', 'list', '--search', 'conceição', '--json']))).toEqual(['jose.conceicao']);
    expect(usernames(await cli(['patients', 'list', '--search', 'JOSE CONCEI', '--json']))).toEqual(['jose.conceicao']);
    expect(usernames(await cli(['patients', 'list', '--search', 'nunez', '--json']))).toEqual(['maria']);
    expect(usernames(await cli(['patients', 'list', '--search', 'ana_l', '--doctor', 'dr.wilson', '--json']))).toEqual(['ana_lima']);
    expect((await cli(['patients', 'list', '--doctor', 'dr.nobody'])).code).toBe(6);
    const table = await cli(['patients', 'list']);
    expect(table.stdout).toMatch(/jose\.conceicao.*José Conceição.*1975-04-25/);
  });

  it('treats LIKE wildcards in the search text literally', async () => {
    // "_" and "%" would match any character(s) if not escaped.
    expect(usernames(await cli(['patients', 'list', '--search', '_', '--json']))).toEqual(['ana_lima']);
    expect(usernames(await cli(['patients', 'list', '--search', '%', '--json']))).toEqual([]);
    expect(usernames(await cli(['patients', 'list', '--search', 'j%o', '--json']))).toEqual([]);
    expect(usernames(await cli(['patients', 'list', '--search', '\\', '--json']))).toEqual([]);
    const empty = await cli(['patients', 'list', '--search', 'zzz']);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/No patients found/);
  });

  it('finds a patient by date of birth or by the end of a phone number, within what the actor sees', async () => {
    const add = async (username: string, dob: string, phone: string) => {
      const result = await cli(['patients', 'add', '--username', username, '--name', 'Phone Owner', '--dob', dob, '--phone', phone, '--json']);
      expect(result.code, result.stderr).toBe(0);
    };
    await add('lookup.one', '1961-07-14', '+351 934 777 120');
    await add('lookup.two', '1961-07-15', '(212) 555-0199');
    expect(usernames(await cli(['patients', 'list', '--search', '1961-07-14', '--json']))).toEqual(['lookup.one']);
    // Digits from the end, however they are grouped or punctuated, with or without the country code.
    for (const typed of ['934 777 120', '934777120', '+351934777120', '7120']) {
      expect(usernames(await cli(['patients', 'list', '--search', typed, '--json'])), typed).toEqual(['lookup.one']);
    }
    expect(usernames(await cli(['patients', 'list', '--search', '555-0199', '--json']))).toEqual(['lookup.two']);
    // Too few digits to be a number, or a date that is not in the calendar: searched as text, found nowhere.
    expect(usernames(await cli(['patients', 'list', '--search', '120', '--json']))).toEqual([]);
    expect(usernames(await cli(['patients', 'list', '--search', '1961-02-30', '--json']))).toEqual([]);
    // A doctor finds only their own panel's patients, by phone as by name.
    expect(usernames(await cli(['patients', 'list', '--search', '912 345 678', '--json'], house))).toEqual(['jose.conceicao']);
    expect(usernames(await cli(['patients', 'list', '--search', '7120', '--json'], house))).toEqual([]);
  });

  it('shows a patient with their doctors and audits the view', async () => {
    const before = await db().knex('audit_log').where({ action: 'patients.read', outcome: 'success' });
    const result = await cli(['patients', 'show', 'jose.conceicao', '--json'], admin);
    expect(result.code).toBe(0);
    const patient = result.json<{ id: string; doctors: Array<{ username: string }> }>();
    expect(patient.doctors.map((d) => d.username)).toEqual(['dr.house', 'dr.wilson']);
    const byId = await cli(['patients', 'show', patient.id, '--json'], admin);
    expect(byId.json()).toEqual(result.json());
    const after = await db().knex('audit_log').where({ action: 'patients.read', outcome: 'success' });
    expect(after.length - before.length).toBe(2);
    expect(after.at(-1)).toMatchObject({ patient_id: patient.id, actor_id: admin.id, entity: 'patient' });
    const missing = await cli(['patients', 'show', 'nobody']);
    expect(missing.code).toBe(6);
    expect(missing.stdout).toBe('');
  });

  it('updates a patient and clears optional fields with ""', async () => {
    const result = await cli(['patients', 'update', 'maria', '--phone', '+34 600 000 000', '--dob', '1990-01-31', '--email', 'maria@example.es', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ phone: '+34 600 000 000', dateOfBirth: '1990-01-31', email: 'maria@example.es', fullName: 'María Ñúñez' });
    const cleared = await cli(['patients', 'update', 'maria', '--email', '', '--name', 'Maria Nunez', '--json']);
    expect(cleared.json()).toMatchObject({ email: null, fullName: 'Maria Nunez', phone: '+34 600 000 000' });
    expect(await db().knex('audit_log').where({ action: 'patients.update' })).toHaveLength(2);
    expect((await cli(['patients', 'update', 'maria'])).code).toBe(3);
    expect((await cli(['patients', 'update', 'maria', '--dob', '3000-01-01'])).code).toBe(3);
    expect((await cli(['patients', 'update', 'maria', '--phone', 'abc'])).code).toBe(3);
    expect((await cli(['patients', 'update', 'nobody', '--name', 'X'])).code).toBe(6);
  });

  it('assigns and unassigns a patient; doing it twice changes nothing and writes one audit row', async () => {
    const assign = await cli(['patients', 'assign', 'maria', 'dr.house', '--json']);
    expect(assign.code).toBe(0);
    expect(assign.json<{ doctors: Array<{ username: string }> }>().doctors.map((d) => d.username)).toEqual(['dr.house']);
    const again = await cli(['patients', 'assign', 'maria', 'dr.house']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already on the panel/);
    expect(await db().knex('audit_log').where({ action: 'patients.assign' })).toHaveLength(1);
    const unassign = await cli(['patients', 'unassign', 'maria', 'dr.house', '--json']);
    expect(unassign.json<{ doctors: unknown[] }>().doctors).toEqual([]);
    const twice = await cli(['patients', 'unassign', 'maria', 'dr.house']);
    expect(twice.code).toBe(0);
    expect(twice.stderr).toMatch(/was not on the panel/);
    expect(await db().knex('audit_log').where({ action: 'patients.unassign' })).toHaveLength(1);
    expect((await cli(['patients', 'assign', 'maria', 'dr.nobody'])).code).toBe(6);
    expect((await cli(['patients', 'assign', 'nobody', 'dr.house'])).code).toBe(6);
    expect((await cli(['patients', 'assign', 'maria'])).code).toBe(2);
  });

  it('finds patients made by the factories too (profile + panel rows are all it needs)', async () => {
    await makePatient(db().knex, { username: 'factory.made', doctors: [house] });
    expect(usernames(await cli(['patients', 'list', '--doctor', 'dr.house', '--json']))).toEqual(['factory.made', 'jose.conceicao']);
  });
});
