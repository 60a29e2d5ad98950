import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';

/**
 * DESIGN §6 for doctors and patients, as a table: role × command × whose record.
 * The doctor acting is dr.own; the patient acting is pat.own, who is on dr.own's panel.
 * "own" targets dr.own / pat.own; "other" targets dr.other / pat.other (on dr.other's panel).
 */
type Role = 'admin' | 'staff' | 'doctor' | 'patient';
type Target = 'own' | 'other';

let serial = 0;
const fresh = (prefix: string) => `${prefix}${++serial}`;

interface Rule {
  command: string;
  args: (target: { doctor: string; patient: string }) => string[];
  /** expected exit code for own and other targets, per role */
  expect: Record<Role, readonly [number, number]>;
}

const ALL_OK = { admin: [0, 0], staff: [0, 0], doctor: [0, 0], patient: [0, 0] } as const;
const CLINIC_STAFF_ONLY = { admin: [0, 0], staff: [0, 0], doctor: [5, 5], patient: [5, 5] } as const;
const STAFF_AND_OWN_DOCTOR = { admin: [0, 0], staff: [0, 0], doctor: [0, 5], patient: [5, 5] } as const;
const READ_PATIENT = { admin: [0, 0], staff: [0, 0], doctor: [0, 6], patient: [0, 6] } as const;

const RULES: Rule[] = [
  { command: 'doctors add', args: () => ['doctors', 'add', '--username', fresh('dr.new'), '--name', 'New Doctor'], expect: CLINIC_STAFF_ONLY },
  { command: 'doctors update', args: (t) => ['doctors', 'update', t.doctor, '--specialty', fresh('spec')], expect: CLINIC_STAFF_ONLY },
  { command: 'doctors hours set', args: (t) => ['doctors', 'hours', 'set', t.doctor, 'sat', 'off'], expect: STAFF_AND_OWN_DOCTOR },
  {
    command: 'doctors timeoff add',
    args: (t) => ['doctors', 'timeoff', 'add', t.doctor, '--from', '2030-01-02', '--to', '2030-01-02'],
    expect: STAFF_AND_OWN_DOCTOR,
  },
  { command: 'doctors timeoff list', args: (t) => ['doctors', 'timeoff', 'list', t.doctor], expect: STAFF_AND_OWN_DOCTOR },
  { command: 'doctors list', args: () => ['doctors', 'list'], expect: ALL_OK },
  { command: 'doctors show', args: (t) => ['doctors', 'show', t.doctor], expect: ALL_OK },
  { command: 'doctors hours show', args: (t) => ['doctors', 'hours', 'show', t.doctor], expect: ALL_OK },
  { command: 'patients add', args: () => ['patients', 'add', '--username', fresh('pat.new'), '--name', 'New Patient'], expect: CLINIC_STAFF_ONLY },
  { command: 'patients update', args: (t) => ['patients', 'update', t.patient, '--phone', '+1 555 0100'], expect: CLINIC_STAFF_ONLY },
  { command: 'patients assign', args: (t) => ['patients', 'assign', t.patient, 'dr.spare'], expect: CLINIC_STAFF_ONLY },
  { command: 'patients unassign', args: (t) => ['patients', 'unassign', t.patient, 'dr.spare'], expect: CLINIC_STAFF_ONLY },
  { command: 'patients show', args: (t) => ['patients', 'show', t.patient], expect: READ_PATIENT },
  { command: 'patients list', args: () => ['patients', 'list'], expect: ALL_OK },
];

const ROLES: Role[] = ['admin', 'staff', 'doctor', 'patient'];
const TARGETS: Target[] = ['own', 'other'];

const CASES = RULES.flatMap((rule) => ROLES.flatMap((role) => TARGETS.map((target, index) => ({ rule, role, target, code: rule.expect[role][index]! }))));

describeBackends('who may do what with doctors and patients', (db) => {
  const actors = {} as Record<Role, MadeUser>;
  const targets = {} as Record<Target, { doctor: MadeUser; patient: MadeUser }>;
  const deniedRows = async () => Number((await db().knex('audit_log').where({ outcome: 'denied' }).count<{ n: string }[]>({ n: '*' }))[0]!.n);

  beforeAll(async () => {
    const knex = db().knex;
    await storeInitialTimeZone(knex, 'UTC');
    const own = await makeDoctor(knex, { username: 'dr.own' });
    const other = await makeDoctor(knex, { username: 'dr.other' });
    await makeDoctor(knex, { username: 'dr.spare' });
    const ownPatient = await makePatient(knex, { username: 'pat.own', doctors: [own] });
    const otherPatient = await makePatient(knex, { username: 'pat.other', doctors: [other] });
    Object.assign(actors, { admin: await makeAdmin(knex), staff: await makeStaff(knex), doctor: own, patient: ownPatient });
    Object.assign(targets, { own: { doctor: own, patient: ownPatient }, other: { doctor: other, patient: otherPatient } });
  });

  describe.each(CASES)('$rule.command as $role on $target record', ({ rule, role, target, code }) => {
    it(`exits ${code}`, async () => {
      const before = await deniedRows();
      const { doctor, patient } = targets[target];
      const result = await runCli(rule.args({ doctor: doctor.username, patient: patient.username }), { database: db().database, actor: actors[role] });
      expect(result.code, result.stderr).toBe(code);
      if (code === 0) {
        expect(result.stderr).not.toMatch(/error/i);
      } else {
        expect(result.stdout).toBe('');
        expect(await deniedRows()).toBe(before + 1);
      }
    });
  });

  it.each(RULES.map((rule) => [rule.command, rule] as const))('%s without a login exits 4 and names `clinic login`', async (_name, rule) => {
    const result = await runCli(rule.args({ doctor: 'dr.own', patient: 'pat.own' }), { database: db().database, actor: null });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('clinic login');
  });

  it("hides a patient outside a doctor's panel exactly like an unknown one, and audits the denied view", async () => {
    const doctor = actors.doctor;
    const outside = await runCli(['patients', 'show', 'pat.other', '--json'], { database: db().database, actor: doctor });
    const unknown = await runCli(['patients', 'show', 'pat.nobody', '--json'], { database: db().database, actor: doctor });
    expect(outside.code).toBe(6);
    expect(outside.stdout).toBe('');
    expect(outside.stderr).not.toContain(targets.other.patient.id);
    const message = (result: { stderr: string }, name: string) => JSON.parse(result.stderr).error.message.replace(name, 'NAME');
    expect(message(outside, 'pat.other')).toBe(message(unknown, 'pat.nobody'));
    const byId = await runCli(['patients', 'show', targets.other.patient.id], { database: db().database, actor: doctor });
    expect(byId.code).toBe(6);
    expect(byId.stdout).toBe('');
    const denied = await db().knex('audit_log').where({ actor_id: doctor.id, action: 'patients.read', outcome: 'denied' }).orderBy('id');
    expect(denied.at(-1)).toMatchObject({ patient_id: targets.other.patient.id, entity: 'patient' });
    const allowed = await db()
      .knex('audit_log')
      .where({ actor_id: doctor.id, action: 'patients.read', outcome: 'success', patient_id: targets.own.patient.id });
    expect(allowed.length).toBeGreaterThan(0);
  });

  it('shows a patient on the panel once they are assigned, and hides them again when unassigned', async () => {
    const staff = actors.staff;
    const doctor = actors.doctor;
    expect((await runCli(['patients', 'assign', 'pat.other', 'dr.own'], { database: db().database, actor: staff })).code).toBe(0);
    expect((await runCli(['patients', 'show', 'pat.other'], { database: db().database, actor: doctor })).code).toBe(0);
    expect((await runCli(['patients', 'unassign', 'pat.other', 'dr.own'], { database: db().database, actor: staff })).code).toBe(0);
    expect((await runCli(['patients', 'show', 'pat.other'], { database: db().database, actor: doctor })).code).toBe(6);
  });

  it('lists everyone for clinic staff, the own panel for a doctor, and only themselves for a patient', async () => {
    const list = async (actor: Actor, args: string[] = []) => {
      const result = await runCli(['patients', 'list', '--json', ...args], { database: db().database, actor });
      expect(result.code, result.stderr).toBe(0);
      return result.json<Array<{ username: string }>>().map((p) => p.username);
    };
    expect(await list(actors.admin)).toEqual(expect.arrayContaining(['pat.own', 'pat.other']));
    expect(await list(actors.staff, ['--doctor', 'dr.other'])).toEqual(['pat.other']);
    expect(await list(actors.doctor)).toEqual(['pat.own']);
    expect(await list(actors.doctor, ['--doctor', 'dr.other'])).toEqual([]);
    expect(await list(actors.doctor, ['--search', 'pat'])).toEqual(['pat.own']);
    expect(await list(actors.patient)).toEqual(['pat.own']);
    expect(await list(actors.patient, ['--search', 'other'])).toEqual([]);
  });
});
