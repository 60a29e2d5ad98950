import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionFilePath } from '../../src/cli/session-store.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** A damaged session file is "not logged in" (exit 4, the login remedy), never a crash. */
describe('session file that is not a session', () => {
  let db: TestDatabase;
  let configHome: string;
  let file: string;
  const env = () => ({ XDG_CONFIG_HOME: configHome });

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    configHome = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-session-'));
    file = sessionFilePath(env(), db.target);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  });

  afterAll(async () => {
    await db.drop();
    await fs.rm(configHome, { recursive: true, force: true });
  });

  async function expectNotLoggedIn() {
    const result = await runCli(['whoami'], { database: db.database, env: env() });
    expect(result.stderr).toContain('Not logged in (this command has no terminal).');
    expect(result.stderr).toContain('clinic login');
    expect(result.stderr).not.toContain('Unexpected error');
    expect(result.code).toBe(4);
  }

  for (const [label, content] of [
    ['null', 'null\n'],
    ['a number', '42\n'],
    ['a string', '"token"\n'],
    ['an array', '["abc"]\n'],
    ['an object without a token', '{"token":null}\n'],
    ['garbage', '\u0000\u0001garbage'],
    ['empty', ''],
  ] as const) {
    it(`holding ${label}`, async () => {
      await fs.rm(file, { recursive: true, force: true });
      await fs.writeFile(file, content, { mode: 0o600 });
      await expectNotLoggedIn();
    });
  }

  it('that is a directory', async () => {
    await fs.rm(file, { recursive: true, force: true });
    await fs.mkdir(path.join(file, 'inside'), { recursive: true, mode: 0o700 });
    await fs.chmod(file, 0o700);
    await expectNotLoggedIn();
  });

  it('that is a FIFO does not hang', async () => {
    await fs.rm(file, { recursive: true, force: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', ['-m', '600', file]);
    await expectNotLoggedIn();
    await fs.rm(file, { force: true });
  });
});
