import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, spawnClinic } from '../support/spawn.js';

const tracer = fixture('trace-heavy-imports.mjs');
const packageJson = JSON.parse(await fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('bin/clinic.js as a user runs it', () => {
  let home: string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-e2e-'));
  });

  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('prints the version of package.json', async () => {
    const result = await spawnClinic(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it.each([[['--version', '--json']], [['--json', '-V']]])('prints the version as one JSON object for %j', async (args) => {
    const result = await spawnClinic(args);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ version: packageJson.version });
  });

  it.each([['--version'], ['--help'], ['appointments', '--help'], ['help', 'appointments', 'book']])(
    'loads no database, prompt or hashing module for %s',
    async (...args) => {
      // A cache of its own: the run builds the program (a kept help text would load nothing at all).
      const result = await spawnClinic(args, { nodeArgs: ['--import', tracer], env: { XDG_CACHE_HOME: path.join(home, `trace-cache${args.join('')}`) } });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('heavy-modules:[]');
    },
  );

  it('creates and migrates the embedded database on first use, then reports its status as JSON', async () => {
    const env = { XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') };
    // The first command creates the directory: within the test's own limit, not the helper's 60 s.
    const result = await spawnClinic(['db', 'migrate', '--json'], { env, timeoutMs: 150_000 });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).migrated.length).toBeGreaterThan(0);
    const status = await spawnClinic(['db', 'status', '--json'], { env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      backend: 'embedded',
      upToDate: true,
      database: `embedded database at ${path.join(home, 'data', 'clinic')}`,
    });
    const stat = await fs.stat(path.join(home, 'data', 'clinic'));
    expect(stat.mode & 0o077).toBe(0);
  }, 180_000); // initdb of a new PGlite directory: ~6 s alone, far more on a loaded 2-core machine

  it('fails with exit 8 and no stack trace when PostgreSQL cannot be reached', async () => {
    const result = await spawnClinic(['settings', 'show', '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^Error: Cannot reach the database/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('never prompts without a terminal: db reset needs --yes (exit 2)', async () => {
    const result = await spawnClinic(['db', 'reset', '--data-dir', path.join(home, 'data', 'clinic')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
  });
});
