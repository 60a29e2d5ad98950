import { beforeAll, expect, it } from 'vitest';
import { makeAdmin, makePatient, makeStaff, OTHER_PASSWORD, PASSWORD } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { unknownUsernameDigest } from '../../src/domain/identity/secrets.js';
import { configHome, manualClock, minutes, terminal } from './helpers.js';

describeBackends('login', (db) => {
  const env = configHome();
  const cli = terminal(() => db().database, env);
  const clock = manualClock(new Date('2030-05-06T08:00:00Z'));
  let staff: string;
  let disabled: string;
  let admin: { id: string; username: string; role: 'admin' };

  beforeAll(async () => {
    const a = await makeAdmin(db().knex, { password: PASSWORD });
    admin = { id: a.id, username: a.username, role: 'admin' };
    staff = (await makeStaff(db().knex, { password: PASSWORD })).username;
    disabled = (await makeStaff(db().knex, { password: PASSWORD })).username;
    await db().knex('users').where({ username: disabled }).update({ status: 'disabled' });
  });

  const login = (username: string, password: string) => cli(['login', '--username', username, '--password-stdin'], { stdin: `${password}\n`, now: clock.now });

  it('locks an account after 5 failures within 15 minutes, for 15 minutes, then lets the right password in', async () => {
    for (let i = 0; i < 5; i++) {
      if (i > 0) clock.advance(minutes(2));
      expect((await login(staff, 'wrong password, sadly')).code).toBe(4);
    }
    // the 5th failure, 8 minutes after the 1st, locks the account
    const locked = await login(staff, PASSWORD);
    expect(locked.code).toBe(4);
    const user = await db().knex('users').where({ username: staff }).first();
    expect(user.locked_until.getTime()).toBeGreaterThan(clock.now().getTime());
    clock.advance(minutes(14)); // 14 minutes after the 5th failure
    expect((await login(staff, PASSWORD)).code).toBe(4);
    clock.advance(minutes(2)); // 16 minutes after it
    const ok = await login(staff, PASSWORD);
    expect(ok.code).toBe(0);
    const after = await db().knex('users').where({ username: staff }).first();
    expect(after).toMatchObject({ failed_login_count: 0, locked_until: null });
  });

  it('does not lock for failures spread wider than the 15-minute window', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await login(staff, 'wrong password, sadly')).code).toBe(4);
      clock.advance(minutes(i % 4 === 3 ? 16 : 1));
    }
    expect((await login(staff, PASSWORD)).code).toBe(0);
  });

  it('gives unknown, wrong, locked, disabled and password-less accounts the same message and exit 4, taking about as long', async () => {
    const patient = await makePatient(db().knex);
    const lockedUser = (await makeStaff(db().knex, { password: PASSWORD })).username;
    await db()
      .knex('users')
      .where({ username: lockedUser })
      .update({ locked_until: new Date(clock.now().getTime() + minutes(10)) });
    const cases: Array<[string, string, string]> = [
      ['unknown', 'nobody-here', PASSWORD],
      ['wrong password', staff, OTHER_PASSWORD],
      ['locked (right password)', lockedUser, PASSWORD],
      ['disabled (right password)', disabled, PASSWORD],
      ['no password', patient.username, PASSWORD],
    ];
    const outputs = new Set<string>();
    const times: number[] = [];
    for (const [, username, password] of cases) {
      const started = performance.now();
      const result = await login(username, password);
      times.push(performance.now() - started);
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      outputs.add(result.stderr);
    }
    expect(outputs.size).toBe(1);
    expect([...outputs][0]).toContain('Login failed');
    // Each failure pays one bcrypt comparison (cost 12), the unknown user included.
    for (const time of times) expect(time).toBeGreaterThan(100);
  });

  it('audits successes and failures; a name nobody has is kept only as its digest, and never the password', async () => {
    const secret = 'a-very-particular-wrong-password';
    // People type their password into the username field: the audit must not keep that text.
    const typedPassword = 'Password-In-The-Wrong-Field';
    expect((await login(typedPassword, secret)).code).toBe(4);
    expect((await login(typedPassword.toLowerCase(), secret)).code).toBe(4);
    const all = JSON.stringify(await db().knex('audit_log').select('*'));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(PASSWORD);
    expect(all.toLowerCase()).not.toContain(typedPassword.toLowerCase());
    const digest = unknownUsernameDigest(typedPassword);
    expect(digest).toMatch(/^unknown:[0-9a-f]{16}$/);
    const failures = await db().knex('audit_log').where({ action: 'session.login', outcome: 'failure', actor: digest });
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ actor_id: null, details: { reason: 'unknown_user' } });
    // An admin still finds the attempts at that name, by the name or by the digest.
    for (const ref of [typedPassword, digest]) {
      const listed = await cli(['audit', 'list', '--actor', ref, '--action', 'session.login', '--json'], { actor: admin });
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toHaveLength(2);
    }
    // A known user's failure names the user.
    expect((await login(disabled, secret)).code).toBe(4);
    expect(await db().knex('audit_log').where({ action: 'session.login', outcome: 'failure', actor: disabled }).first()).toBeDefined();
    const success = await db().knex('audit_log').where({ action: 'session.login', outcome: 'success', actor: staff });
    expect(success.length).toBeGreaterThan(0);
  });

  it('--password-stdin takes one line: none, an empty one or a second one is a usage error, before anything is tried', async () => {
    const auditRows = async () => Number((await db().knex('audit_log').count({ n: '*' }).first())!.n);
    const before = await auditRows();
    const failedBefore = (await db().knex('users').where({ username: staff }).first()).failed_login_count;
    for (const stdin of ['', '\n', `${PASSWORD}\nsomething else\n`, `\n${PASSWORD}\n`]) {
      const result = await cli(['login', '--username', staff, '--password-stdin'], { stdin, now: clock.now });
      expect(result.code, JSON.stringify(stdin)).toBe(2);
      expect(result.stderr).toContain('--password-stdin');
      expect(result.stderr).not.toContain(PASSWORD);
    }
    expect(await auditRows()).toBe(before);
    expect(await db().knex('users').where({ username: staff }).first()).toMatchObject({ failed_login_count: failedBefore });
    // Trailing line breaks and a CRLF ending are not lines of their own.
    expect((await cli(['login', '--username', staff, '--password-stdin'], { stdin: `${PASSWORD}\r\n\n`, now: clock.now })).code).toBe(0);
  });

  it('refuses without a terminal when a value is missing, naming the flag (exit 2)', async () => {
    const noUser = await cli(['login', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('--username');
    const noPassword = await cli(['login', '--username', admin.username]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--password-stdin');
  });
});
