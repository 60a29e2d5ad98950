import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { runCli } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';
import { makeAppointment, makeClinic, makeDoctor, makePatient, PASSWORD, type Clinic } from '../support/factories.js';
import { hasPty, startOnPty, type PtySession } from '../support/pty.js';
import { spawnClinic, until } from '../support/spawn.js';

/** Keys: Enter, the down arrow, and enough backspaces to empty a field. */
const ENTER = '\r';
const DOWN = '\x1b[B';
const CTRL_C = '\x03';
const CLEAR = '\x7f'.repeat(30);

/** Connections to the database other than the test's own: none while a prompt waits (issue 13). */
async function othersConnected(db: TestDatabase): Promise<number> {
  if (db.target.backend === 'embedded') {
    const status = await spawnClinic(['db', 'server', 'status', '--json', '--data-dir', db.target.dataDir]);
    return (JSON.parse(status.stdout) as { connections: number }).connections;
  }
  const { rows } = await db.knex.raw<{ rows: Array<{ n: number }> }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return rows[0]!.n;
}

async function holdsNothing(db: TestDatabase): Promise<void> {
  // The test's own idle connection leaves its pool within about a second; the command's must be gone already.
  await until(async () => (await othersConnected(db)) === 0, 15_000, 'no connection held while the prompt waits');
}

describeBackends('prompts for missing values on a terminal', (db) => {
  let home: string;
  let clinic: Clinic;
  let env: NodeJS.ProcessEnv;
  const target = () =>
    db().target.backend === 'embedded'
      ? ['--data-dir', (db().target as { dataDir: string }).dataDir]
      : ['--database-url', (db().target as { url: string }).url];
  const onPty = (args: string[], options: { columns?: number } = {}): PtySession => startOnPty([...args, ...target()], { env, ...options });
  /** Waits for the marker (from offset `from` of the screen), types the keys; the offset past the marker, to wait for what comes next. */
  const step = async (pty: PtySession, marker: string, keys: string, from = 0) => {
    const at = await pty.waitFor(marker, { from });
    pty.type(keys);
    return at;
  };

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-prompts-'));
    env = { XDG_CONFIG_HOME: path.join(home, 'config'), NO_COLOR: '1' };
  });

  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it.skipIf(!hasPty)(
    'init asks the time zone (type-ahead), the admin, and a password that keeps the rules, re-asking what is wrong and keeping the rest',
    { timeout: 120_000 },
    async () => {
      const pty = onPty(['init']);
      let at = await step(pty, 'time zone', 'lisb');
      at = await step(pty, 'Europe/Lisbon', ENTER, at);
      at = await step(pty, 'Username of the first admin', 'Front Boss!' + ENTER, at);
      at = await step(pty, 'a username is 2 to 32 characters', CLEAR + 'front.boss' + ENTER, at);
      at = await step(pty, 'Full name of the first admin', ENTER, at);
      at = await step(pty, 'Admin password', 'short' + ENTER, at);
      at = await pty.waitFor('too short', { from: at });
      await holdsNothing(db());
      pty.type(CLEAR + 'front.boss is my password' + ENTER);
      at = await step(pty, 'must not contain the username', CLEAR + PASSWORD + ENTER, at);
      at = await step(pty, 'Repeat it', 'not the same' + ENTER, at);
      at = await step(pty, 'The two passwords differ', '', at);
      at = await step(pty, 'Admin password', PASSWORD + ENTER, at);
      await step(pty, 'Repeat it', PASSWORD + ENTER, at);
      const result = await pty.done;
      expect(result.code, result.screen).toBe(0);
      expect(result.screen).toContain('logged in as front.boss (admin)');
      expect(result.screen).not.toContain(PASSWORD);
      expect(await db().knex('settings').where({ key: 'timezone' }).first()).toMatchObject({ value: 'Europe/Lisbon' });
      expect(await db().knex('users').where({ username: 'front.boss' }).first()).toMatchObject({ role: 'admin', full_name: 'Administrator' });
    },
  );

  it('(set-up) a clinic and a token for its staff', async () => {
    clinic = await makeClinic(db().knex);
    const { token } = await createApiToken(db().context(clinic.admin), { name: 'prompts' });
    env = { ...env, CLINIC_TOKEN: token };
  });

  it.skipIf(!hasPty)('doctors add: a username that breaks the rule is asked again with the reason', { timeout: 60_000 }, async () => {
    const pty = onPty(['doctors', 'add', '--specialty', 'cardiology']);
    let at = await step(pty, 'Login name', 'Dr Who' + ENTER);
    at = await step(pty, 'a username is 2 to 32 characters', CLEAR + 'dr.prompted' + ENTER, at);
    await step(pty, 'Full name', 'Ofélia Prompted' + ENTER, at);
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain('Added doctor dr.prompted');
    expect(await db().knex('users').where({ username: 'dr.prompted' }).first()).toMatchObject({ role: 'doctor', full_name: 'Ofélia Prompted' });
  });

  it.skipIf(!hasPty)('users create: the role from a list, then a password checked before its confirmation', { timeout: 60_000 }, async () => {
    const pty = onPty(['users', 'create', '--username', 'desk.two', '--name', 'Desk Two']);
    let at = await step(pty, 'Admin or staff', DOWN);
    at = await step(pty, '❯ staff', ENTER, at);
    at = await step(pty, 'New password', 'password1234' + ENTER, at);
    at = await step(pty, 'too weak', CLEAR + PASSWORD + ENTER, at);
    await step(pty, 'Repeat it', PASSWORD + ENTER, at);
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    const user = await db().knex('users').where({ username: 'desk.two' }).first();
    expect(user).toMatchObject({ role: 'staff' });
    expect(user.password_hash).toMatch(/^\$2[aby]\$12\$/);
  });

  it.skipIf(!hasPty)(
    'appointments book: patient and doctor found by typing part of a name, the date re-asked, the time picked from the free slots; nothing held meanwhile',
    { timeout: 90_000 },
    async () => {
      const doctor = await makeDoctor(db().knex, { fullName: 'Bárbara Quintela' });
      const patient = await makePatient(db().knex, { fullName: 'Zélia Quaresma' });
      const pty = onPty(['appointments', 'book', '--reason', 'check-up']);
      let at = await step(pty, 'Patient username or id', 'quaresma');
      // The highlighted match (❯), not just a line of the list: the unfiltered list may still be on screen.
      at = await step(pty, `❯ ${patient.username}`, ENTER, at);
      at = await step(pty, 'Doctor username or id', 'quintela', at);
      at = await step(pty, `❯ ${doctor.username}`, ENTER, at);
      // 2099-03-09 is a Monday: the doctor works 09:00–17:00.
      at = await step(pty, 'Day, YYYY-MM-DD', '2099-02-30' + ENTER, at);
      at = await pty.waitFor('Invalid date "2099-02-30"', { from: at });
      await holdsNothing(db());
      // 2099-03-07 is a Saturday: no free start, so the day is asked again before any time.
      pty.type(CLEAR + '2099-03-07' + ENTER);
      at = await pty.waitFor(`No free start for ${doctor.username} on Saturday 2099-03-07`, { from: at });
      pty.type(CLEAR + '2099-03-09' + ENTER);
      at = await step(pty, '09:00-09:30', DOWN, at);
      await step(pty, '❯ 09:30-10:00', ENTER, at);
      const result = await pty.done;
      expect(result.code, result.screen).toBe(0);
      const booked = await db().knex('appointments').where({ patient_id: patient.id, doctor_id: doctor.id }).first();
      expect(booked).toMatchObject({ status: 'PENDING', reason: 'check-up' });
      // Europe/Lisbon is UTC+0 in March.
      expect(new Date(booked.starts_at).toISOString()).toBe('2099-03-09T09:30:00.000Z');
    },
  );

  it.skipIf(!hasPty)('messages send: the receiver found by typing part of a name; nothing held meanwhile', { timeout: 60_000 }, async () => {
    const doctor = await makeDoctor(db().knex, { fullName: 'Olavo Mensageiro' });
    const pty = onPty(['messages', 'send', '--body', 'Room 3 is free.']);
    const at = await pty.waitFor('The receiver, by username or id');
    await holdsNothing(db());
    pty.type('mensag');
    await step(pty, `❯ ${doctor.username}`, ENTER, at);
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain(`to ${doctor.username}`);
    const sent = await db().knex('messages').where({ receiver_id: doctor.id });
    expect(sent.map((message) => message.content)).toEqual(['Room 3 is free.']);
  });

  it('a bad value given as a flag is refused before the first question (exit 3), not after every answer', async () => {
    const result = await runCli(['appointments', 'book', '--date', '2026-12-32', '--reason', 'x'], {
      database: db().database,
      actor: clinic.admin,
      tty: true,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Invalid date "2026-12-32"');
    expect(result.stdout).not.toContain('Patient username or id');
  });

  it.each([
    [['patients', 'add', '--dob', '1980-13-45'], 'Invalid date of birth'],
    [['patients', 'add', '--name', 'Ana', '--phone', 'call me'], 'phone'],
    [['users', 'create', '--email', 'rita-at-clinic'], 'not an email address'],
  ])('an optional flag of %j with a bad value is refused before the first question (exit 3)', async (args, reason) => {
    const result = await runCli(args, { database: db().database, actor: clinic.admin, tty: true });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(reason);
    expect(result.stdout).not.toMatch(/login name/i);
  });

  it.skipIf(!hasPty)('the patient search shows a screen of matches and says how many more there are', { timeout: 60_000 }, async () => {
    for (let i = 1; i <= 12; i++) await makePatient(db().knex, { fullName: `Manymatch Person ${String(i).padStart(2, '0')}` });
    const pty = onPty(['appointments', 'book', '--doctor', clinic.doctor.username, '--next-available']);
    const at = await step(pty, 'Patient username or id', 'manymatch');
    await pty.waitFor('… 3 more: type more of the name', { from: at });
    pty.type(CTRL_C);
    const result = await pty.done;
    expect(result.code).toBe(130);
    expect(await db().knex('appointments').whereIn('patient_id', db().knex('users').select('id').whereLike('full_name', 'Manymatch%'))).toEqual([]);
  });

  it.skipIf(!hasPty)(
    'appointments reschedule: the time picked from the day’s free starts of the same length, the patient’s other bookings and its own time taken',
    { timeout: 90_000 },
    async () => {
      const doctor = await makeDoctor(db().knex, { fullName: 'Rui Remarcado' });
      const other = await makeDoctor(db().knex, { fullName: 'Outra Médica' });
      const patient = await makePatient(db().knex, { fullName: 'Paula Movida' });
      // 2099-03-16 is a Monday. An hour from 09:00; the patient sees another doctor at 11:00.
      const appointment = await makeAppointment(db().knex, { patient, doctor, startsAt: '2099-03-16T09:00:00Z', minutes: 60 });
      await makeAppointment(db().knex, { patient, doctor: other, startsAt: '2099-03-16T11:00:00Z' });
      const pty = onPty(['appointments', 'reschedule', appointment.id]);
      let at = await step(pty, 'New day, YYYY-MM-DD', '2099-03-15' + ENTER);
      at = await step(pty, 'No free start for this appointment on Sunday 2099-03-15', CLEAR + '2099-03-16' + ENTER, at);
      // 09:00 and 09:30 overlap its own hour, 10:30 and 11:00 the patient's other appointment.
      at = await step(pty, '❯ 10:00-11:00', DOWN, at);
      await step(pty, '❯ 11:30-12:30', ENTER, at);
      const result = await pty.done;
      expect(result.code, result.screen).toBe(0);
      for (const taken of ['09:00-10:00', '09:30-10:30', '10:30-11:30', '11:00-12:00']) expect(result.screen).not.toContain(taken);
      const moved = await db().knex('appointments').where({ rescheduled_from_id: appointment.id }).first();
      expect(new Date(moved.starts_at).toISOString()).toBe('2099-03-16T11:30:00.000Z');
      expect(new Date(moved.ends_at).toISOString()).toBe('2099-03-16T12:30:00.000Z');
    },
  );

  it.skipIf(!hasPty)('appointments cancel: a blank reason is asked again', { timeout: 60_000 }, async () => {
    const appointment = await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2099-04-06T10:00:00Z' });
    const pty = onPty(['appointments', 'cancel', appointment.id]);
    const at = await step(pty, 'Why is it cancelled?', '   ' + ENTER);
    await step(pty, 'A reason is required to cancel', CLEAR + 'patient is travelling' + ENTER, at);
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    expect(await db().knex('appointments').where({ id: appointment.id }).first()).toMatchObject({
      status: 'CANCELLED',
      cancel_reason: 'patient is travelling',
    });
  });

  /** Weekly occurrences of one series for the clinic's patient and doctor, inserted directly, from `first` on. */
  const makeSeries = async (first: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let week = 0; week < count; week++) {
      const startsAt = new Date(new Date(first).getTime() + week * 7 * 86_400_000);
      ids.push((await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt })).id);
    }
    await db().knex('appointments').whereIn('id', ids).update({ series_id: randomUUID() });
    return ids;
  };
  const statuses = async (ids: string[]) => (await db().knex('appointments').whereIn('id', ids).orderBy('starts_at')).map((row) => row.status);

  it.skipIf(!hasPty)(
    'appointments cancel --series names what it cancels and asks: no (the default) changes nothing, yes cancels every occurrence; nothing held meanwhile',
    { timeout: 90_000 },
    async () => {
      // Mondays, 10:00 in Lisbon (UTC+1 in May).
      const ids = await makeSeries('2099-05-04T09:00:00Z', 3);
      const args = ['appointments', 'cancel', ids[0]!, '--series', '--reason', 'course ended'];
      const question = `Cancel 3 occurrences of the series of ${clinic.patient.username} with ${clinic.doctor.username}, from 2099-05-04 to 2099-05-18?`;
      const declined = onPty(args, { columns: 200 });
      await declined.waitFor(question);
      await holdsNothing(db());
      declined.type(ENTER);
      const kept = await declined.done;
      // A no ends the command and says so: exit 2, as without a terminal and without --yes.
      expect(kept.code, kept.screen).toBe(2);
      expect(kept.screen).toContain('Not confirmed: nothing was changed.');
      expect(kept.screen).not.toContain('--help');
      expect(await statuses(ids)).toEqual(['APPROVED', 'APPROVED', 'APPROVED']);
      const accepted = onPty(args, { columns: 200 });
      await step(accepted, question, 'y' + ENTER);
      const result = await accepted.done;
      expect(result.code, result.screen).toBe(0);
      expect(result.screen).toContain('Cancelled 3 occurrences of the series');
      expect(await statuses(ids)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    },
  );

  it.skipIf(!hasPty)(
    'db reset names what it drops and asks: no (the default) ends with exit 2 and drops nothing, also with --json',
    { timeout: 90_000 },
    async () => {
      const users = async () => (await db().knex('users').count<Array<{ n: string }>>({ n: '*' }))[0]!.n;
      const before = await users();
      for (const json of [[], ['--json']]) {
        const declined = onPty(['db', 'reset', ...json], { columns: 200 });
        await step(declined, '(y/N)', ENTER);
        const result = await declined.done;
        expect(result.code, result.screen).toBe(2);
        expect(result.screen).toContain(
          json.length ? '{"error":{"code":"USAGE","message":"Not confirmed: nothing was changed."}}' : 'Error: Not confirmed: nothing was changed.',
        );
        expect(result.screen).not.toContain('Reset:');
        expect(await users()).toBe(before);
      }
    },
  );

  it.skipIf(!hasPty)('appointments reschedule --series names what it moves and asks; yes moves every occurrence', { timeout: 60_000 }, async () => {
    const ids = await makeSeries('2099-06-01T09:00:00Z', 2);
    const pty = onPty(['appointments', 'reschedule', ids[0]!, '--series', '--date', '2099-06-02', '--time', '11:00'], { columns: 200 });
    await step(
      pty,
      `Move 2 occurrences of the series of ${clinic.patient.username} with ${clinic.doctor.username}, from 2099-06-01 to 2099-06-08: the first to 2099-06-02 11:00`,
      'y' + ENTER,
    );
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    expect(await statuses(ids)).toEqual(['CANCELLED', 'CANCELLED']);
    const moved = await db().knex('appointments').whereIn('rescheduled_from_id', ids).orderBy('starts_at');
    expect(moved.map((row) => new Date(row.starts_at).toISOString())).toEqual(['2099-06-02T10:00:00.000Z', '2099-06-09T10:00:00.000Z']);
  });

  it('a taken --username is refused before the first question (exit 7)', async () => {
    const result = await runCli(['patients', 'add', '--username', clinic.doctor.username], { database: db().database, actor: clinic.admin, tty: true });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('is taken');
    expect(result.stdout).not.toMatch(/full name/i);
  });

  it.skipIf(!hasPty)('a taken username typed at the prompt is asked again with the reason, before the name', { timeout: 60_000 }, async () => {
    const pty = onPty(['patients', 'add', '--dob', '1990-05-06']);
    const at = await step(pty, 'Login name', `${clinic.doctor.username}\r`);
    const next = await step(pty, 'is taken', `${CLEAR}taken.retry\r`, at);
    await step(pty, 'Full name', 'Taken Retry\r', next);
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    expect(await db().knex('users').where({ username: 'taken.retry' }).first()).toMatchObject({ full_name: 'Taken Retry' });
  });

  it.skipIf(!hasPty)('Ctrl-C at a prompt is exit 130 and writes nothing', { timeout: 60_000 }, async () => {
    const pty = onPty(['patients', 'add', '--name', 'Never Added']);
    await step(pty, 'Login name', 'never.added\x03');
    const result = await pty.done;
    expect(result.code, result.screen).toBe(130);
    expect(await db().knex('users').where({ username: 'never.added' }).first()).toBeUndefined();
  });

  /** Each verb without its required values: no terminal (spawned), or --no-input on one (in-process): exit 2 naming the flags, nothing written. */
  const missing: ReadonlyArray<{ args: () => string[]; names: RegExp }> = [
    { args: () => ['doctors', 'add'], names: /Missing --username and --name/ },
    { args: () => ['patients', 'add', '--name', 'No Username'], names: /Missing --username\b/ },
    { args: () => ['users', 'create', '--username', 'no.role', '--name', 'No Role'], names: /Missing --role/ },
    {
      args: () => ['appointments', 'book', '--patient', clinic.patient.username, '--doctor', clinic.doctor.username],
      names: /Missing --date and --time \(or --next-available\)/,
    },
    { args: () => ['appointments', 'book', '--doctor', clinic.doctor.username, '--next-available'], names: /Missing --patient\b/ },
    { args: () => ['appointments', 'cancel', '00000000-0000-4000-8000-000000000000'], names: /Missing --reason/ },
    { args: () => ['appointments', 'reschedule', '00000000-0000-4000-8000-000000000000', '--date', '2099-03-09'], names: /Missing --time/ },
    { args: () => ['doctors', 'timeoff', 'add', clinic.doctor.username, '--to', '2099-03-09'], names: /Missing --from/ },
    { args: () => ['messages', 'send', '--body', 'to nobody'], names: /Missing --to\b/ },
  ];

  it(
    'without a terminal, or with --no-input on one, each verb stops with exit 2 naming the missing flags and writes nothing',
    { timeout: 120_000 },
    async () => {
      const audit = async () => Number((await db().knex('audit_log').count({ n: '*' }).first())!.n);
      const before = await audit();
      for (const { args, names } of missing) {
        const spawned = await spawnClinic([...args(), ...target()], { env });
        expect(spawned.code, `${args().join(' ')}: ${spawned.stderr}`).toBe(2);
        expect(spawned.stderr).toMatch(names);
        expect(spawned.stderr).toContain('prompts need a terminal');
        const noInput = await runCli([...args(), '--no-input'], { database: db().database, actor: clinic.admin, tty: true });
        expect(noInput.code, `${args().join(' ')} --no-input: ${noInput.stderr}`).toBe(2);
        expect(noInput.stderr).toMatch(names);
        const json = await runCli([...args(), '--json'], { database: db().database, actor: clinic.admin });
        expect(json.code).toBe(2);
        expect(json.stdout).toBe('');
        expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'USAGE', message: expect.stringMatching(names) });
      }
      expect(await audit()).toBe(before);
    },
  );
});
