import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnClinic } from '../support/spawn.js';
import { PASSWORD } from '../support/factories.js';

describe('bin/clinic.js: init → whoami → logout', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-e2e-identity-'));
    dataDir = path.join(home, 'data');
    // A migrated, empty database (the suite's template) instead of a first initdb, which costs
    // 5–6 s: creating the embedded database on first use is e2e/binary.test.ts's to show.
    await fs.cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
    env = { XDG_CONFIG_HOME: path.join(home, 'config'), HOME: home };
  });

  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('sets up, is logged in, logs out', { timeout: 300_000 }, async () => {
    const init = await spawnClinic(
      ['init', '--data-dir', dataDir, '--admin-username', 'boss', '--admin-password-stdin', '--timezone', 'Europe/Lisbon', '--json'],
      {
        env,
        input: `${PASSWORD}\n`,
        timeoutMs: 180_000,
      },
    );
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ timezone: 'Europe/Lisbon', admin: { username: 'boss', role: 'admin' } });
    expect(init.stdout).not.toContain(PASSWORD);

    const sessions = path.join(home, 'config', 'clinic', 'sessions');
    const [file] = await fs.readdir(sessions);
    expect((await fs.stat(path.join(sessions, file!))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(sessions)).mode & 0o777).toBe(0o700);

    const whoami = await spawnClinic(['whoami', '--data-dir', dataDir, '--json'], { env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ username: 'boss', authenticatedBy: 'session', database: `embedded database at ${dataDir}` });

    const logout = await spawnClinic(['logout', '--data-dir', dataDir], { env });
    expect(logout.code, logout.stderr).toBe(0);
    const after = await spawnClinic(['whoami', '--data-dir', dataDir], { env });
    expect(after.code).toBe(4);
    expect(after.stderr).toContain('clinic login');
  });
});
