import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, PASSWORD } from '../support/factories.js';
import { hasPty, runInWindows, shellQuote } from '../support/pty.js';
import { CLINIC_BIN, spawnClinic } from '../support/spawn.js';

/** Sessions belong to a terminal: two real pseudo-terminals, each with its own shell, as two windows. */
describeBackends('sessions per terminal', (db) => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let target: string;
  let admin: string;
  let adminActor: Awaited<ReturnType<typeof makeAdmin>>;
  let doctor: string;
  let passwordFile: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-terminals-'));
    env = { XDG_CONFIG_HOME: path.join(dir, 'config'), NO_COLOR: '1' };
    passwordFile = path.join(dir, 'password');
    await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    const where = db().target;
    target = where.backend === 'embedded' ? `--data-dir ${shellQuote(where.dataDir)}` : `--database-url ${shellQuote(where.url)}`;
    adminActor = await makeAdmin(db().knex, { password: PASSWORD });
    admin = adminActor.username;
    doctor = (await makeDoctor(db().knex, { password: PASSWORD })).username;
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const login = (username: string) => `clinic login --username ${username} --password-stdin ${target} < ${shellQuote(passwordFile)}`;
  const whoami = () => `clinic whoami --json ${target}`;
  const identity = (screen: string) => JSON.parse(screen.slice(screen.indexOf('{'))) as Record<string, unknown>;

  it.skipIf(!hasPty)("a login in window 2 does not change window 1's session; logout ends only the window's own", { timeout: 240_000 }, () => {
    const [first, secondBefore, secondLogin, firstAfter, secondAfter, piped, replace, logout, firstStill, noTerminal] = runInWindows(
      2,
      [
        { window: 0, command: login(admin) },
        { window: 1, command: `clinic whoami ${target}` },
        { window: 1, command: login(doctor) },
        { window: 0, command: whoami() },
        { window: 1, command: whoami() },
        // redirected streams are still this terminal
        { window: 0, command: `${whoami()} | cat` },
        { window: 1, command: login(admin) },
        { window: 1, command: `clinic logout ${target}` },
        { window: 0, command: whoami() },
        // a process of its own session has no controlling terminal: the no-terminal scope, not logged in
        { window: 0, command: `setsid -w ${shellQuote(process.execPath)} ${shellQuote(CLINIC_BIN)} whoami --json ${target}` },
      ],
      { env },
    );
    expect(first!.code, first!.screen).toBe(0);
    expect(first!.screen).toMatch(/Logged in as .* for this terminal \(\/dev\/pts\/\d+\)/);
    expect(secondBefore!.code).toBe(4);
    expect(secondBefore!.screen).toMatch(/This terminal \(\/dev\/pts\/\d+\) is not logged in\./);
    expect(secondLogin!.code, secondLogin!.screen).toBe(0);

    const one = identity(firstAfter!.screen);
    const two = identity(secondAfter!.screen);
    expect(one).toMatchObject({ username: admin, authenticatedBy: 'session', sessionScope: 'terminal' });
    expect(two).toMatchObject({ username: doctor, authenticatedBy: 'session', sessionScope: 'terminal' });
    expect(one.terminal).toMatch(/^\/dev\/pts\/\d+$/);
    expect(two.terminal).toMatch(/^\/dev\/pts\/\d+$/);
    expect(one.terminal).not.toBe(two.terminal);
    expect(identity(piped!.screen)).toMatchObject({ username: admin, terminal: one.terminal });

    // like gh auth login: the new login replaces the window's session and says whose it was
    expect(replace!.code, replace!.screen).toBe(0);
    expect(replace!.screen).toContain(`This terminal (${String(two.terminal)}) was logged in as ${doctor} (doctor); that session has ended.`);
    expect(logout!.code, logout!.screen).toBe(0);
    expect(logout!.screen).toContain(`Logged out ${admin} on ${String(two.terminal)}.`);
    expect(identity(firstStill!.screen)).toMatchObject({ username: admin, terminal: one.terminal });

    expect(noTerminal!.code).toBe(4);
    expect(noTerminal!.screen).toContain('Not logged in (this command has no terminal).');
  });

  it.skipIf(!hasPty)('commands without a terminal share one session, which a terminal does not use; a token works in both', { timeout: 240_000 }, async () => {
    const where = db().target;
    const args = where.backend === 'embedded' ? ['--data-dir', where.dataDir] : ['--database-url', where.url];
    const loggedIn = await spawnClinic(['login', '--username', doctor, '--password-stdin', '--json', ...args], {
      env,
      input: `${PASSWORD}\n`,
      newSession: true,
    });
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    expect(loggedIn.stderr).toBe('');
    const again = await spawnClinic(['whoami', '--json', ...args], { env, newSession: true });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ username: doctor, sessionScope: 'no-terminal', terminal: null });

    const { token } = await createApiToken(db().context(adminActor), { name: 'windows' });
    const [window, , withToken] = runInWindows(
      1,
      [
        { window: 0, command: `clinic whoami ${target}` },
        { window: 0, command: `export CLINIC_TOKEN=${token}` },
        { window: 0, command: whoami() },
      ],
      { env },
    );
    expect(window!.code).toBe(4);
    expect(window!.screen).toContain('is not logged in');
    expect(window!.screen).toContain('The session kept for commands without a terminal is not used on a terminal');
    expect(identity(withToken!.screen)).toMatchObject({ username: admin, authenticatedBy: 'token', sessionScope: null, terminal: null });
  });
});
