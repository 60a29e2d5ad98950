import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { processIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { writeSession } from '../../src/cli/session-store.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { startSession } from '../../src/domain/identity/sessions.js';
import type { Role } from '../../src/domain/policy.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';
import { makeAdmin, makeAppointment, makeDoctor, makeMessage, makePatient, makeStaff, makeUser, type MadeUser } from '../support/factories.js';
import { STACK_FRAME } from './helpers.js';

/**
 * Role × command × ownership, for EVERY command of the Commander tree. Each actor authenticates
 * for real (an API token in CLINIC_TOKEN, or a session file for logout). "own" means a record of
 * the acting doctor (dr.own) or patient (pat.own); "other" one of dr.other and pat.other, who have
 * nothing to do with them. A denial must be exit 5 or 6 and show nothing of the other record; a
 * role that may run a list but not see others' records must not see them either.
 */
const ROLES = ['admin', 'staff', 'doctor', 'patient'] as const;
type Owner = 'own' | 'other';
/** 0 allowed; 'deny' exit 5 or 6; any other number: that exit code whatever the role. */
type Outcome = number | 'deny';
type Expect = Record<Role, readonly [own: Outcome, other: Outcome]>;

const ALL = { admin: [0, 0], staff: [0, 0], doctor: [0, 0], patient: [0, 0] } as const satisfies Expect;
const ADMIN_ONLY = { admin: [0, 0], staff: ['deny', 'deny'], doctor: ['deny', 'deny'], patient: ['deny', 'deny'] } as const satisfies Expect;
const CLINIC_STAFF = { admin: [0, 0], staff: [0, 0], doctor: ['deny', 'deny'], patient: ['deny', 'deny'] } as const satisfies Expect;
const STAFF_OR_OWN_DOCTOR = { admin: [0, 0], staff: [0, 0], doctor: [0, 'deny'], patient: ['deny', 'deny'] } as const satisfies Expect;
const STAFF_OR_OWN = { admin: [0, 0], staff: [0, 0], doctor: [0, 'deny'], patient: [0, 'deny'] } as const satisfies Expect;
const SELF_OR_ADMIN = { admin: [0, 0], staff: [0, 'deny'], doctor: [0, 'deny'], patient: [0, 'deny'] } as const satisfies Expect;
const SAME = (code: number) => ({ admin: [code, code], staff: [code, code], doctor: [code, code], patient: [code, code] }) as const satisfies Expect;

interface Trial {
  args: string[];
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** Strings of the other record that a role not entitled to it must never see. */
  secrets?: string[];
  /** the clock of the run (default: the real one) */
  now?: Date;
}

interface World {
  db: TestDatabase;
  actors: Record<Role, MadeUser>;
  tokens: Record<Role, string>;
  dr: Record<Owner, MadeUser>;
  pat: Record<Owner, MadeUser>;
  spareDoctor: MadeUser;
  home: string;
  /** A fresh unused appointment slot (distinct for every call): date and time in UTC. */
  slot(): { date: string; time: string };
  /** An appointment of dr[owner] and pat[owner] in the given state, with a unique reason. */
  appointment(owner: Owner, status?: string): Promise<{ id: string; reason: string; startsAt: Date }>;
  /** A message between the actor's side (own) or between dr.other and pat.other (other). */
  message(role: Role, owner: Owner): Promise<{ id: string; content: string }>;
  fresh(prefix: string): string;
}

interface Row {
  command: string;
  /** a label when one command has several rows */
  variant?: string;
  expect: Expect;
  /** Roles entitled to see the other record's data (default: those whose expected outcome is 0). */
  seesOthers?: readonly Role[];
  /** Not run as a matrix trial: why (it is checked elsewhere in this file). */
  exempt?: string;
  trial?: (w: World, role: Role, owner: Owner) => Promise<Trial> | Trial;
}

const idArg = (id: string, form: 'full' | 'prefix') => (form === 'full' ? id : id.slice(0, 8));

/** A WAITING entry of pat[owner] with dr[owner]. */
async function waitlistEntry(w: World, owner: Owner): Promise<string> {
  const [row] = await w.db.knex('waitlist').insert({ patient_id: w.pat[owner].id, doctor_id: w.dr[owner].id }).returning('id');
  return (row as { id: string }).id;
}

function appointmentVerb(verb: string, status: string, expectation: Expect, extra: string[] = [], forms: Array<'full' | 'prefix'> = ['full', 'prefix']): Row[] {
  return forms.map((form) => ({
    command: `appointments ${verb}`,
    variant: form,
    expect: expectation,
    trial: async (w, _role, owner) => {
      const appointment = await w.appointment(owner, status);
      // checkin, complete and noshow are possible from the appointment's start (its day for the first two)
      const now = ['checkin', 'complete', 'noshow'].includes(verb) ? appointment.startsAt : undefined;
      return { args: ['appointments', verb, idArg(appointment.id, form), ...extra], secrets: secretsOf(w, owner, appointment, form), ...(now ? { now } : {}) };
    },
  }));
}

function secretsOf(w: World, owner: Owner, record: { id: string; reason?: string; content?: string }, form: 'full' | 'prefix'): string[] {
  if (owner === 'own') return [];
  return [record.reason, record.content, form === 'prefix' ? record.id : undefined, w.pat.other.fullName].filter((s): s is string => s !== undefined);
}

const MATRIX: Row[] = [
  // set-up and session
  {
    command: 'init',
    expect: SAME(7),
    trial: (w) => ({
      args: ['init', '--timezone', 'UTC', '--admin-username', w.fresh('boss'), '--admin-password-stdin'],
      stdin: 'correct horse battery staple\n',
    }),
  },
  {
    command: 'login',
    expect: SAME(4),
    trial: (w, _r, owner) => ({
      args: ['login', '--username', owner === 'own' ? 'dr.own' : 'pat.other', '--password-stdin'],
      stdin: 'not-the-Password-0042\n',
      env: { CLINIC_TOKEN: '' },
    }),
  },
  {
    command: 'logout',
    expect: ALL,
    trial: async (w, role) => {
      const configHome = await fs.mkdtemp(path.join(w.home, 'logout-'));
      const session = await startSession(w.db.knex, w.actors[role].id, new Date());
      await writeSession({ XDG_CONFIG_HOME: configHome }, w.db.target, null, session.token, new Date());
      return { args: ['logout'], env: { XDG_CONFIG_HOME: configHome, CLINIC_TOKEN: '' } };
    },
  },
  { command: 'whoami', expect: ALL, trial: () => ({ args: ['whoami', '--json'] }) },
  // help and shell completion
  { command: 'help', expect: ALL, trial: () => ({ args: ['help', 'appointments', 'book'] }) },
  { command: 'completion', expect: ALL, trial: () => ({ args: ['completion', 'bash'] }) },
  {
    command: '__complete',
    expect: ALL,
    // the usernames a doctor or patient is offered are those they may see: never another panel's patient
    seesOthers: ['admin', 'staff'],
    trial: (w) => ({ args: ['__complete', 'patients'], env: { XDG_CACHE_HOME: path.join(w.home, 'cache') }, secrets: [w.pat.other.username] }),
  },
  // users
  {
    command: 'users create',
    expect: ADMIN_ONLY,
    trial: (w) => ({ args: ['users', 'create', '--username', w.fresh('new'), '--name', 'New', '--role', 'staff'] }),
  },
  { command: 'users list', expect: ADMIN_ONLY, trial: () => ({ args: ['users', 'list', '--json'] }) },
  {
    command: 'users show',
    expect: SELF_OR_ADMIN,
    trial: (w, role, owner) => ({
      args: ['users', 'show', owner === 'own' ? w.actors[role].username : w.pat.other.username],
      secrets: owner === 'other' ? [w.pat.other.fullName, w.pat.other.id] : [],
    }),
  },
  {
    command: 'users update',
    expect: ADMIN_ONLY,
    trial: async (w, _role, owner) => {
      const target = await makeUser(w.db.knex, { role: owner === 'own' ? 'staff' : 'patient', fullName: w.fresh('Victim Name') });
      return { args: ['users', 'update', target.username, '--name', w.fresh('Renamed')], secrets: [target.fullName, target.id] };
    },
  },
  ...(['disable', 'enable'] as const).map((verb): Row => ({
    command: `users ${verb}`,
    expect: ADMIN_ONLY,
    trial: async (w) => {
      const target = await makeStaff(w.db.knex);
      if (verb === 'enable') await w.db.knex('users').where({ id: target.id }).update({ status: 'disabled' });
      return { args: ['users', verb, target.username], secrets: [target.fullName, target.id] };
    },
  })),
  {
    command: 'users passwd',
    variant: 'of another user',
    expect: ADMIN_ONLY,
    trial: async (w) => {
      const target = await makeStaff(w.db.knex);
      return { args: ['users', 'passwd', target.username, '--password-stdin'], stdin: 'Tr0ub4dor&3xyz-quiet\n', secrets: [target.fullName, target.id] };
    },
  },
  // tokens
  { command: 'tokens create', expect: ALL, trial: (w) => ({ args: ['tokens', 'create', '--name', w.fresh('mine')] }) },
  {
    command: 'tokens create',
    variant: '--user someone else',
    expect: ADMIN_ONLY,
    trial: (w) => ({ args: ['tokens', 'create', '--name', w.fresh('theirs'), '--user', w.pat.other.username] }),
  },
  { command: 'tokens list', expect: ALL, seesOthers: ['admin'], trial: async (w) => ({ args: ['tokens', 'list', '--json'], secrets: [await otherToken(w)] }) },
  {
    command: 'tokens list',
    variant: '--user someone else',
    expect: ADMIN_ONLY,
    trial: async (w) => ({ args: ['tokens', 'list', '--user', w.pat.other.username, '--json'], secrets: [await otherToken(w)] }),
  },
  ...(['full', 'prefix'] as const).map((form): Row => ({
    command: 'tokens revoke',
    variant: form,
    expect: { admin: [0, 0], staff: [0, 'deny'], doctor: [0, 'deny'], patient: [0, 'deny'] },
    trial: async (w, role, owner) => {
      const ctx = w.db.context(w.actors.admin);
      const created = await createApiToken(ctx, { name: w.fresh(`revoke-${owner}`), user: owner === 'own' ? w.actors[role].username : w.pat.other.username });
      return {
        args: ['tokens', 'revoke', idArg(created.apiToken.id, form)],
        secrets: owner === 'other' ? [created.apiToken.name, ...(form === 'prefix' ? [created.apiToken.id] : [])] : [],
      };
    },
  })),
  // audit and settings
  { command: 'audit list', expect: ADMIN_ONLY, trial: (w) => ({ args: ['audit', 'list', '--json', '--limit', '50'], secrets: [w.pat.other.id] }) },
  { command: 'audit verify', expect: ADMIN_ONLY, trial: () => ({ args: ['audit', 'verify', '--json'] }) },
  { command: 'settings show', expect: ALL, trial: () => ({ args: ['settings', 'show', '--json'] }) },
  { command: 'settings set', expect: ADMIN_ONLY, trial: () => ({ args: ['settings', 'set', 'session-idle-minutes', '60'] }) },
  // the schema: its authority is the database credential itself (DESIGN §2), not a role
  { command: 'db status', expect: ALL, trial: () => ({ args: ['db', 'status', '--json'] }) },
  { command: 'db migrate', expect: ALL, trial: () => ({ args: ['db', 'migrate'] }) },
  { command: 'db reset', expect: SAME(2), trial: () => ({ args: ['db', 'reset', '--no-input'] }) },
  {
    command: 'db grant',
    expect: SAME(0),
    exempt:
      'operator command gated by the database credential (the schema owner); roles and grants are tested on a private cluster in test/db/least-privilege.test.ts',
  },
  {
    command: 'db copy',
    expect: SAME(0),
    exempt: 'operator command gated by the database credentials of source and target; tested in test/reliability/db-copy.test.ts',
  },
  {
    command: 'export',
    expect: SAME(0),
    exempt:
      'operator command gated by the database credential, like db status (whoever holds the database holds every row); no secrets unless --include-credentials: test/clinic/transfer.test.ts',
  },
  {
    command: 'import',
    expect: SAME(0),
    exempt: 'operator command into an empty clinic (no user exists yet), gated by the database credential; test/clinic/transfer.test.ts',
  },
  {
    command: 'db server status',
    expect: SAME(0),
    exempt: 'about the embedded server process of a data directory (its owner is the file owner), no rows; tested in test/reliability/embedded-server.test.ts',
  },
  {
    command: 'db server stop',
    expect: SAME(0),
    exempt: 'operator command on the embedded server process, gated by owning the data directory; tested in test/reliability/embedded-server.test.ts',
  },
  {
    command: 'db rollback',
    expect: SAME(0),
    exempt: 'operator command gated by the database credential; not run here (it would drop the schema this matrix runs on)',
  },
  // doctors
  { command: 'doctors add', expect: CLINIC_STAFF, trial: (w) => ({ args: ['doctors', 'add', '--username', w.fresh('dr.new'), '--name', 'New Doctor'] }) },
  {
    command: 'doctors update',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => ({ args: ['doctors', 'update', w.dr[owner].username, '--specialty', w.fresh('spec')] }),
  },
  { command: 'doctors list', expect: ALL, trial: () => ({ args: ['doctors', 'list', '--json'] }) },
  { command: 'doctors show', expect: ALL, trial: (w, _r, owner) => ({ args: ['doctors', 'show', w.dr[owner].username, '--json'] }) },
  {
    command: 'doctors hours set',
    expect: STAFF_OR_OWN_DOCTOR,
    trial: (w, _r, owner) => ({ args: ['doctors', 'hours', 'set', w.dr[owner].username, 'sun', 'off'] }),
  },
  { command: 'doctors hours show', expect: ALL, trial: (w, _r, owner) => ({ args: ['doctors', 'hours', 'show', w.dr[owner].username] }) },
  {
    command: 'doctors timeoff add',
    expect: STAFF_OR_OWN_DOCTOR,
    trial: (w, _r, owner) => ({
      args: ['doctors', 'timeoff', 'add', w.dr[owner].username, '--from', '2031-01-06', '--to', '2031-01-06', '--reason', w.fresh('TIMEOFF-REASON')],
    }),
  },
  {
    command: 'doctors timeoff list',
    expect: STAFF_OR_OWN_DOCTOR,
    trial: (w, _r, owner) => ({ args: ['doctors', 'timeoff', 'list', w.dr[owner].username, '--json'], secrets: ['TIMEOFF-REASON'] }),
  },
  {
    command: 'doctors timeoff remove',
    expect: STAFF_OR_OWN_DOCTOR,
    trial: async (w, _r, owner) => {
      const [row] = await w.db
        .knex('doctor_timeoff')
        .insert({ doctor_id: w.dr[owner].id, starts_at: new Date('2031-02-03T00:00:00Z'), ends_at: new Date('2031-02-04T00:00:00Z'), reason: 'matrix' })
        .returning('id');
      return { args: ['doctors', 'timeoff', 'remove', w.dr[owner].username, (row as { id: string }).id, '--json'] };
    },
  },
  // patients
  { command: 'patients add', expect: CLINIC_STAFF, trial: (w) => ({ args: ['patients', 'add', '--username', w.fresh('pat.new'), '--name', 'New Patient'] }) },
  {
    command: 'patients update',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => ({ args: ['patients', 'update', w.pat[owner].username, '--phone', '+1 555 0100'] }),
  },
  {
    command: 'patients list',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: (w) => ({ args: ['patients', 'list', '--json'], secrets: [w.pat.other.fullName, w.pat.other.id] }),
  },
  {
    command: 'patients list',
    variant: '--search the other patient',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: (w) => ({ args: ['patients', 'list', '--search', 'Zelda', '--json'], secrets: [w.pat.other.fullName, w.pat.other.id] }),
  },
  {
    command: 'patients show',
    expect: STAFF_OR_OWN,
    trial: (w, _r, owner) => ({
      args: ['patients', 'show', w.pat[owner].username, '--json'],
      secrets: owner === 'other' ? [w.pat.other.fullName, w.pat.other.id, '+1 555 0199'] : [],
    }),
  },
  {
    command: 'patients show',
    variant: 'by id',
    expect: STAFF_OR_OWN,
    trial: (w, _r, owner) => ({
      args: ['patients', 'show', w.pat[owner].id, '--json'],
      secrets: owner === 'other' ? [w.pat.other.fullName, w.pat.other.username, '+1 555 0199'] : [],
    }),
  },
  {
    command: 'patients assign',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => ({ args: ['patients', 'assign', w.pat[owner].username, w.spareDoctor.username] }),
  },
  {
    command: 'patients unassign',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => ({ args: ['patients', 'unassign', w.pat[owner].username, w.spareDoctor.username] }),
  },
  // appointments
  {
    command: 'appointments book',
    expect: STAFF_OR_OWN,
    trial: (w, _r, owner) => {
      const { date, time } = w.slot();
      return {
        args: [
          'appointments',
          'book',
          '--patient',
          w.pat[owner].username,
          '--doctor',
          w.dr[owner].username,
          '--date',
          date,
          '--time',
          time,
          '--reason',
          w.fresh('book'),
        ],
      };
    },
  },
  {
    command: 'appointments slots',
    expect: ALL,
    trial: (w, _r, owner) => ({ args: ['appointments', 'slots', '--doctor', w.dr[owner].username, '--date', w.slot().date, '--json'] }),
  },
  {
    command: 'appointments list',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: async (w) => {
      const other = await w.appointment('other');
      return { args: ['appointments', 'list', '--json', '--limit', '1000'], secrets: [other.id, other.reason] };
    },
  },
  {
    command: 'appointments list',
    variant: '--doctor/--patient of others (an empty list, not a denial)',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: async (w, role, owner) => {
      const other = await w.appointment('other');
      const filter = role === 'patient' ? ['--patient', w.pat[owner].username] : ['--doctor', w.dr[owner].username];
      return { args: ['appointments', 'list', ...filter, '--json'], secrets: [other.id, other.reason] };
    },
  },
  ...(['full', 'prefix'] as const).map((form): Row => ({
    command: 'appointments show',
    variant: form,
    expect: STAFF_OR_OWN,
    trial: async (w, _r, owner) => {
      const appointment = await w.appointment(owner);
      return { args: ['appointments', 'show', idArg(appointment.id, form), '--json'], secrets: secretsOf(w, owner, appointment, form) };
    },
  })),
  ...appointmentVerb('approve', 'PENDING', STAFF_OR_OWN_DOCTOR),
  ...appointmentVerb('reject', 'PENDING', STAFF_OR_OWN_DOCTOR, ['--reason', 'full']),
  ...appointmentVerb('cancel', 'APPROVED', STAFF_OR_OWN, ['--reason', 'changed plans']),
  ...appointmentVerb('checkin', 'APPROVED', STAFF_OR_OWN_DOCTOR),
  ...appointmentVerb('complete', 'CHECKED_IN', STAFF_OR_OWN_DOCTOR),
  ...appointmentVerb('noshow', 'APPROVED', STAFF_OR_OWN_DOCTOR),
  ...(['full', 'prefix'] as const).map((form): Row => ({
    command: 'appointments reschedule',
    variant: form,
    expect: STAFF_OR_OWN,
    trial: async (w, _r, owner) => {
      const appointment = await w.appointment(owner, 'APPROVED');
      const { date, time } = w.slot();
      return {
        args: ['appointments', 'reschedule', idArg(appointment.id, form), '--date', date, '--time', time],
        secrets: secretsOf(w, owner, appointment, form),
      };
    },
  })),
  {
    command: 'waitlist add',
    expect: STAFF_OR_OWN,
    trial: (w, _r, owner) => ({ args: ['waitlist', 'add', '--patient', w.pat[owner].username, '--doctor', w.dr[owner].username, '--json'] }),
  },
  {
    command: 'waitlist list',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: async (w) => {
      const other = await waitlistEntry(w, 'other');
      return { args: ['waitlist', 'list', '--json'], secrets: [other] };
    },
  },
  ...(['full', 'prefix'] as const).map((form): Row => ({
    command: 'waitlist remove',
    variant: form,
    expect: STAFF_OR_OWN,
    trial: async (w, _r, owner) => {
      const id = await waitlistEntry(w, owner);
      return { args: ['waitlist', 'remove', idArg(id, form), '--json'], secrets: secretsOf(w, owner, { id }, form) };
    },
  })),
  {
    command: 'appointments import',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => {
      const { date, time } = w.slot();
      return {
        args: ['appointments', 'import', '-', '--format', 'csv'],
        stdin: `patient,doctor,date,time,reason\n${w.pat[owner].username},${w.dr[owner].username},${date},${time},imported\n`,
      };
    },
  },
  {
    command: 'appointments export',
    expect: CLINIC_STAFF,
    trial: async (w) => {
      const other = await w.appointment('other');
      return { args: ['appointments', 'export', '--format', 'ndjson'], secrets: [other.id, other.reason] };
    },
  },
  {
    command: 'appointments export',
    variant: '--format ics (anyone: their own)',
    expect: ALL,
    seesOthers: ['admin', 'staff'],
    trial: async (w) => {
      const other = await w.appointment('other');
      return { args: ['appointments', 'export', '--format', 'ics'], secrets: [other.id, other.reason] };
    },
  },
  {
    command: 'appointments agenda',
    expect: STAFF_OR_OWN_DOCTOR,
    trial: async (w, _r, owner) => {
      const other = await w.appointment(owner === 'own' ? 'other' : 'own');
      return { args: ['appointments', 'agenda', '--doctor', w.dr[owner].username, '--json'], secrets: [other.id] };
    },
  },
  {
    command: 'appointments agenda',
    variant: 'without --doctor (a doctor: their own column)',
    expect: { admin: [0, 0], staff: [0, 0], doctor: [0, 0], patient: ['deny', 'deny'] },
    seesOthers: ['admin', 'staff'],
    trial: async (w) => {
      const other = await w.appointment('other');
      return { args: ['appointments', 'agenda', '--json'], secrets: [other.id] };
    },
  },
  { command: 'appointments due', expect: CLINIC_STAFF, trial: () => ({ args: ['appointments', 'due', '--within', '7d', '--mark-reminded', '--json'] }) },
  { command: 'appointments sweep-noshows', expect: CLINIC_STAFF, trial: () => ({ args: ['appointments', 'sweep-noshows', '--dry-run', '--json'] }) },
  {
    command: 'doctors import',
    expect: CLINIC_STAFF,
    trial: (w) => ({ args: ['doctors', 'import', '-', '--format', 'csv'], stdin: `username,name\n${w.fresh('dr.imported')},Imported Doctor\n` }),
  },
  {
    command: 'patients import',
    expect: CLINIC_STAFF,
    trial: (w, _r, owner) => ({
      args: ['patients', 'import', '-', '--format', 'csv'],
      stdin: `username,name,doctors\n${w.fresh('pat.imported')},Imported Patient,${w.dr[owner].username}\n`,
    }),
  },
  // test data: like the schema commands, gated by the database credential (and CLINIC_ENV), not a role
  { command: 'db seed', expect: ALL, trial: () => ({ args: ['db', 'seed', '--seed', '3', '--doctors', '1', '--patients', '2', '--appointments', '0'] }) },
  // messages
  {
    command: 'messages send',
    expect: { admin: [0, 0], staff: [0, 0], doctor: [0, 'deny'], patient: [0, 'deny'] },
    trial: (w, role, owner) => ({ args: ['messages', 'send', '--to', counterpart(w, role, owner), '--body', w.fresh('hello')] }),
  },
  {
    command: 'messages inbox',
    expect: ALL,
    seesOthers: [],
    trial: async (w, role) => ({ args: ['messages', 'inbox', '--json'], secrets: [(await w.message(role, 'other')).content] }),
  },
  {
    command: 'messages sent',
    expect: ALL,
    seesOthers: [],
    trial: async (w, role) => ({ args: ['messages', 'sent', '--json'], secrets: [(await w.message(role, 'other')).content] }),
  },
  {
    command: 'messages thread',
    // a patient the actor may not see, with no messages between them, is "no user" (existence is not revealed)
    expect: STAFF_OR_OWN,
    seesOthers: [],
    trial: async (w, role, owner) => ({
      args: ['messages', 'thread', owner === 'own' ? counterpart(w, role, 'own') : w.pat.other.username, '--json'],
      secrets: [(await w.message(role, 'other')).content],
    }),
  },
  ...(['full', 'prefix'] as const).map((form): Row => ({
    command: 'messages read',
    variant: form,
    expect: { admin: [0, 'deny'], staff: [0, 'deny'], doctor: [0, 'deny'], patient: [0, 'deny'] },
    trial: async (w, role, owner) => {
      const message = await w.message(role, owner);
      return { args: ['messages', 'read', idArg(message.id, form), '--json'], secrets: secretsOf(w, owner, message, form) };
    },
  })),
];

/** Someone the role may write to (own), or someone it may not when it has such limits (other). */
function counterpart(w: World, role: Role, owner: Owner): string {
  if (role === 'patient') return owner === 'own' ? w.dr.own.username : w.dr.other.username;
  if (role === 'doctor') return owner === 'own' ? w.pat.own.username : w.pat.other.username;
  return owner === 'own' ? w.pat.own.username : w.pat.other.username;
}

let otherTokenName: string | undefined;
async function otherToken(w: World): Promise<string> {
  if (!otherTokenName) {
    otherTokenName = w.fresh('pat-other-private-token');
    await createApiToken(w.db.context(w.actors.admin), { name: otherTokenName, user: w.pat.other.username });
  }
  return otherTokenName;
}

interface Leaf {
  path: string;
  command: Command;
}

function leaves(command: Command, prefix: string[] = []): Leaf[] {
  const subcommands = command.commands as Command[];
  if (subcommands.length === 0) {
    const hasAction = (command as unknown as { _actionHandler: unknown })._actionHandler != null;
    return hasAction ? [{ path: prefix.join(' '), command }] : [];
  }
  return subcommands.flatMap((sub) => leaves(sub, [...prefix, sub.name()]));
}

const LEAVES = leaves((await buildProgram(new CliContext({ io: processIO(), env: {} }))) as unknown as Command).map((leaf) => leaf.path);

describe('the access matrix', () => {
  it('has a row for every command of the Commander tree (add one for each new command)', () => {
    const covered = new Set(MATRIX.map((row) => row.command));
    expect(LEAVES.filter((name) => !covered.has(name))).toEqual([]);
    expect(LEAVES.length).toBeGreaterThanOrEqual(20);
  });

  it('names only commands that exist', () => {
    expect(MATRIX.map((row) => row.command).filter((name) => !LEAVES.includes(name))).toEqual([]);
  });
});

describeBackends('role × command × ownership', (db) => {
  const world = {} as World;
  const results: Array<{ label: string; code: number }> = [];
  let serial = 0;
  let slotIndex = 0;
  // a Monday well in the future, in UTC (the clinic's zone here)
  const firstDay = (() => {
    const day = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1));
    while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
    return day;
  })();

  beforeAll(async () => {
    const knex = db().knex;
    await storeInitialTimeZone(knex, 'UTC');
    const drOwn = await makeDoctor(knex, { username: 'dr.own' });
    const drOther = await makeDoctor(knex, { username: 'dr.other', fullName: 'Yorick Otherdoctor' });
    const patOwn = await makePatient(knex, { username: 'pat.own', doctors: [drOwn] });
    const patOther = await makePatient(knex, { username: 'pat.other', fullName: 'Zelda Otherpatient', phone: '+1 555 0199', doctors: [drOther] });
    const actors: Record<Role, MadeUser> = { admin: await makeAdmin(knex), staff: await makeStaff(knex), doctor: drOwn, patient: patOwn };
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) tokens[role] = (await createApiToken(db().context(actors[role]), { name: 'matrix', expiresIn: 'never' })).token;
    Object.assign(world, {
      db: db(),
      actors,
      tokens,
      dr: { own: drOwn, other: drOther },
      pat: { own: patOwn, other: patOther },
      spareDoctor: await makeDoctor(knex, { username: 'dr.spare' }),
      home: await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-matrix-')),
      fresh: (prefix: string) => `${prefix}-${++serial}`,
      slot: () => {
        const index = slotIndex++;
        const day = new Date(firstDay);
        let weekdays = Math.floor(index / 16);
        while (weekdays > 0 || day.getUTCDay() === 0 || day.getUTCDay() === 6) {
          day.setUTCDate(day.getUTCDate() + 1);
          if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) weekdays--;
        }
        const minutes = 9 * 60 + (index % 16) * 30;
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        return { date: day.toISOString().slice(0, 10), time };
      },
      appointment: async (owner: Owner, status = 'PENDING') => {
        const { date, time } = world.slot();
        const reason = world.fresh(`SECRET-REASON-${owner}`);
        const { id, startsAt } = await makeAppointment(knex, {
          patient: world.pat[owner],
          doctor: world.dr[owner],
          startsAt: `${date}T${time}:00Z`,
          reason,
          status,
        });
        return { id, reason, startsAt };
      },
      message: async (role: Role, owner: Owner) => {
        const content = world.fresh(`SECRET-BODY-${owner}`);
        const [sender, receiver] =
          owner === 'own' ? [world.actors[role === 'admin' ? 'staff' : 'admin'], world.actors[role]] : [world.dr.other, world.pat.other];
        const { id } = await makeMessage(knex, { sender, receiver, content });
        return { id, content };
      },
    } satisfies World);
  });

  afterAll(async () => {
    if (world.home) await fs.rm(world.home, { recursive: true, force: true });
    const denied = results.filter((r) => r.code === 5 || r.code === 6).length;
    console.info(
      `[access matrix ${db().backend}] ${results.length} trials: ${results.filter((r) => r.code === 0).length} allowed, ${denied} denied (5/6), ${results.length - denied - results.filter((r) => r.code === 0).length} other`,
    );
  });

  for (const row of MATRIX.filter((r) => !r.exempt && LEAVES.includes(r.command))) {
    for (const role of ROLES) {
      for (const owner of ['own', 'other'] as const) {
        const expected = row.expect[role][owner === 'own' ? 0 : 1];
        it(`${role} · ${row.command}${row.variant ? ` (${row.variant})` : ''} · ${owner} → ${expected === 'deny' ? '5/6' : expected}`, async () => {
          const trial = await row.trial!(world, role, owner);
          const deniedBefore = await deniedCount(db());
          const result: CliResult = await runCli(trial.args, {
            database: db().database,
            env: { XDG_CONFIG_HOME: world.home, CLINIC_TOKEN: world.tokens[role], ...trial.env },
            ...(trial.stdin !== undefined ? { stdin: trial.stdin } : {}),
            ...(trial.now ? { now: () => trial.now! } : {}),
          });
          results.push({ label: `${role} ${row.command} ${owner}`, code: result.code });
          const output = `${result.stdout}\n${result.stderr}`;
          if (expected === 'deny') {
            expect([5, 6], `${trial.args.join(' ')}\n${result.stderr}`).toContain(result.code);
            expect(result.stdout).toBe('');
            if (trial.args.includes('--json')) expect(JSON.parse(result.stderr).error.code).toMatch(/^(FORBIDDEN|NOT_FOUND)$/);
            else expect(result.stderr).toMatch(/^Error: /);
            if (result.code === 5) expect(await deniedCount(db())).toBe(deniedBefore + 1);
          } else {
            expect(result.code, `${trial.args.join(' ')}\n${result.stderr}`).toBe(expected);
          }
          const seesOthers = row.seesOthers ?? ROLES.filter((r) => row.expect[r][1] === 0);
          if (owner === 'other' || row.seesOthers) {
            if (!seesOthers.includes(role)) {
              for (const secret of trial.secrets ?? []) expect(output.includes(secret), `${role} saw "${secret}" via ${trial.args.join(' ')}`).toBe(false);
            }
          }
          expect(result.stderr).not.toMatch(STACK_FRAME);
        });
      }
    }
  }

  it('db rollback and db reset without --yes change nothing', async () => {
    const before = await db().knex('users').count<{ n: string }[]>({ n: '*' });
    const reset = await runCli(['db', 'reset'], { database: db().database, env: { CLINIC_TOKEN: world.tokens.patient } });
    expect(reset.code).toBe(2);
    expect(reset.stderr).toContain('--yes');
    const rollback = await runCli(['db', 'rollback', '--all'], { database: db().database, env: { CLINIC_TOKEN: world.tokens.patient } });
    expect(rollback.code).toBe(2);
    expect(await db().knex('users').count<{ n: string }[]>({ n: '*' })).toEqual(before);
  });
});

async function deniedCount(db: TestDatabase): Promise<number> {
  const [row] = await db.knex('audit_log').where({ outcome: 'denied' }).count<{ n: string }[]>({ n: '*' });
  return Number(row!.n);
}
