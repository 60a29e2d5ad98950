import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionFilePath } from '../../src/cli/session-store.js';
import { makeAdmin, makeStaff, OTHER_PASSWORD, PASSWORD } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { configHome, manualClock, minutes, terminal } from './helpers.js';

describe('session files are kept per database', () => {
  it('names the embedded database and each PostgreSQL database differently, and never by the password', () => {
    const env = { XDG_CONFIG_HOME: '/cfg' };
    const files = new Set([
      sessionFilePath(env, { backend: 'embedded', dataDir: '/data/clinic' }),
      sessionFilePath(env, { backend: 'embedded', dataDir: '/data/other' }),
      sessionFilePath(env, { backend: 'postgres', url: 'postgres://me:secret@db:5432/clinic' }),
      sessionFilePath(env, { backend: 'postgres', url: 'postgres://me:secret@db:5432/other' }),
    ]);
    expect(files.size).toBe(4);
    for (const file of files) {
      expect(path.dirname(file)).toBe('/cfg/clinic/sessions');
      expect(file).not.toContain('secret');
    }
    expect(sessionFilePath({ HOME: '/home/ana' }, { backend: 'embedded', dataDir: '/d' })).toMatch(/^\/home\/ana\/\.config\/clinic\/sessions\//);
  });
});

describeBackends('sessions', (db) => {
  const env = configHome();
  const cli = terminal(() => db().database, env);
  const clock = manualClock(new Date('2030-03-04T10:00:00Z'));
  let adminName: string;

  beforeAll(async () => {
    adminName = (await makeAdmin(db().knex, { password: PASSWORD })).username;
  });

  const login = (username = adminName, password = PASSWORD) =>
    cli(['login', '--username', username, '--password-stdin', '--json'], { stdin: `${password}\n`, now: clock.now });

  it('logs in, stores the token in a 0600 file inside 0700 directories, and whoami reports the session', async () => {
    const result = await login();
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ username: adminName, role: 'admin', authenticatedBy: 'session' });
    const file = sessionFilePath(env(), db().target);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.dirname(path.dirname(file)))).mode & 0o777).toBe(0o700);

    const whoami = await cli(['whoami', '--json'], { now: clock.now });
    expect(whoami.code).toBe(0);
    const identity = whoami.json<Record<string, unknown>>();
    expect(Object.keys(identity).sort()).toEqual(
      [
        'id',
        'username',
        'fullName',
        'email',
        'role',
        'status',
        'createdAt',
        'updatedAt',
        'authenticatedBy',
        'database',
        'sessionExpiresAt',
        'sessionScope',
        'terminal',
        'unreadMessages',
      ].sort(),
    );
    expect(identity).toMatchObject({
      username: adminName,
      authenticatedBy: 'session',
      sessionExpiresAt: new Date(clock.now().getTime() + minutes(60)).toISOString(),
    });
  });

  it('keeps only the SHA-256 of the token in the database', async () => {
    const file = sessionFilePath(env(), db().target);
    const { token } = JSON.parse(await fs.readFile(file, 'utf8')) as { token: string };
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const created = await cli(['tokens', 'create', '--name', 'dump-check', '--json'], { now: clock.now });
    const apiToken = created.json<{ token: string }>().token;
    expect(apiToken).toMatch(/^clinic_pat_/);
    const dump = JSON.stringify([await db().knex('sessions').select('*'), await db().knex('api_tokens').select('*')]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(apiToken);
    expect(dump).not.toContain(apiToken.slice('clinic_pat_'.length));
    const { createHash } = await import('node:crypto');
    expect(dump).toContain(createHash('sha256').update(token).digest('hex'));
  });

  it('refuses a session file that group or others can read (exit 4, says chmod 600 or log in)', async () => {
    const file = sessionFilePath(env(), db().target);
    for (const mode of [0o640, 0o604]) {
      await fs.chmod(file, mode);
      const result = await cli(['whoami'], { now: clock.now });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('chmod 600');
      expect(result.stderr).toContain('clinic login');
    }
    await fs.chmod(file, 0o600);
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
  });

  it('slides the idle limit on use and expires an idle session (exit 4 "Session expired")', async () => {
    expect((await login()).code).toBe(0);
    clock.advance(minutes(50));
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
    clock.advance(minutes(50)); // 100 minutes after login, 50 after last use
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
    clock.advance(minutes(61));
    const expired = await cli(['whoami'], { now: clock.now });
    expect(expired.code).toBe(4);
    expect(expired.stderr).toContain('Session expired.');
    expect(expired.stderr).toContain('Run `clinic login`.');
  });

  it('writes a use only a minute after the last one it wrote: the idle limit may end up to a minute early, never late', async () => {
    expect((await login()).code).toBe(0);
    const seen = async () => (await db().knex('sessions').orderBy('created_at', 'desc').first()).last_seen_at.getTime();
    const loggedIn = clock.now().getTime();
    expect(await seen()).toBe(loggedIn);
    clock.advance(30_000);
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
    expect(await seen()).toBe(loggedIn); // 30 s later: nothing written
    clock.advance(31_000);
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
    const written = clock.now().getTime();
    expect(written - loggedIn).toBe(61_000);
    expect(await seen()).toBe(written); // past the minute: the use is recorded and the window slides
    clock.advance(30_000);
    expect((await cli(['whoami'], { now: clock.now })).code).toBe(0); // not recorded
    clock.advance(minutes(60) - 20_000); // 59 min 40 s after the last use, 60 min 10 s after the recorded one
    const expired = await cli(['whoami'], { now: clock.now });
    expect(expired.code).toBe(4);
    expect(expired.stderr).toContain('Session expired.');
  });

  it('ends a session at the absolute limit however busy it is, and follows the settings', async () => {
    expect(
      (
        await cli(['settings', 'set', 'session-absolute-hours', '2'], {
          actor: { id: (await db().knex('users').where({ username: adminName }).first()).id, username: adminName, role: 'admin' },
        })
      ).code,
    ).toBe(0);
    expect((await login()).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      clock.advance(minutes(39));
      expect((await cli(['whoami'], { now: clock.now })).code).toBe(0);
    }
    clock.advance(minutes(4)); // 2 h 1 min after login, 4 min after last use
    const expired = await cli(['whoami'], { now: clock.now });
    expect(expired.code).toBe(4);
    expect(expired.stderr).toContain('Session expired.');
  });

  it('logs out: the session ends in the database, the file goes, and both are audited', async () => {
    expect((await login()).code).toBe(0);
    const file = sessionFilePath(env(), db().target);
    const { token } = JSON.parse(await fs.readFile(file, 'utf8')) as { token: string };
    const result = await cli(['logout'], { now: clock.now });
    expect(result.code).toBe(0);
    await expect(fs.stat(file)).rejects.toThrow();
    const { createHash } = await import('node:crypto');
    const row = await db()
      .knex('sessions')
      .where({ token_hash: createHash('sha256').update(token).digest('hex') })
      .first();
    expect(row.ended_at).not.toBeNull();
    expect(await db().knex('audit_log').where({ action: 'session.logout', actor: adminName })).not.toHaveLength(0);
    const again = await cli(['logout'], { now: clock.now });
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('clinic login');
  });

  it("a new login replaces the terminal's previous session", async () => {
    const staff = await makeStaff(db().knex, { password: OTHER_PASSWORD });
    expect((await login()).code).toBe(0);
    const file = sessionFilePath(env(), db().target);
    const first = (JSON.parse(await fs.readFile(file, 'utf8')) as { token: string }).token;
    expect((await login(staff.username, OTHER_PASSWORD)).code).toBe(0);
    const { createHash } = await import('node:crypto');
    const old = await db()
      .knex('sessions')
      .where({ token_hash: createHash('sha256').update(first).digest('hex') })
      .first();
    expect(old.ended_at).not.toBeNull();
    expect((await cli(['whoami', '--json'], { now: clock.now })).json()).toMatchObject({ username: staff.username, role: 'staff' });
  });

  it("a login removes this database's terminal session files older than the longest absolute limit, and nothing else", async () => {
    const now = clock.now().getTime();
    const day = 24 * 3_600_000;
    const window = (key: string) => ({ device: '/dev/pts/9', key });
    const ended = sessionFilePath(env(), db().target, window('closed-window'));
    const recent = sessionFilePath(env(), db().target, window('open-window'));
    const otherDatabase = sessionFilePath(env(), { backend: 'embedded', dataDir: '/elsewhere/clinic' }, window('closed-window'));
    await fs.mkdir(path.dirname(ended), { recursive: true, mode: 0o700 });
    for (const [file, age] of [
      [ended, 31 * day],
      [recent, 29 * day],
      [otherDatabase, 31 * day],
    ] as const) {
      await fs.writeFile(file, '{"token":"ended"}\n', { mode: 0o600 });
      await fs.utimes(file, new Date(now - age), new Date(now - age));
    }

    expect((await login()).code).toBe(0);

    await expect(fs.stat(ended)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.stat(recent)).isFile()).toBe(true);
    expect((await fs.stat(otherDatabase)).isFile()).toBe(true);
    expect((await fs.stat(sessionFilePath(env(), db().target))).isFile()).toBe(true);
  });
});
