import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnClinic } from '../support/spawn.js';

describe('the code cache of bin/clinic.js', () => {
  let home: string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-code-cache-'));
  });

  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('is written by the first run of a command, 0600 in a 0700 directory, and used by the next', async () => {
    const cacheHome = path.join(home, 'cache');
    const first = await spawnClinic(['appointments', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
    expect(first.code).toBe(0);
    const dir = path.join(cacheHome, 'clinic');
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    const files = (await fs.readdir(dir)).filter((name) => name.endsWith('.v8'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-appointments\.help\.v8$/);
    const file = path.join(dir, files[0]!);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const written = (await fs.stat(file)).mtimeMs;

    const second = await spawnClinic(['appointments', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
    expect(second).toMatchObject({ code: 0, stdout: first.stdout, stderr: '' });
    // Accepted, so not written again.
    expect((await fs.stat(file)).mtimeMs).toBe(written);
  });

  it("a command's first run starts from the core cache the build's first database command wrote, and a bad one costs nothing", async () => {
    const v8File = async (cacheHome: string, suffix: string) => {
      const name = (await fs.readdir(path.join(cacheHome, 'clinic'))).find((file) => file.endsWith(suffix));
      expect(name, `a *${suffix} in ${cacheHome}`).toBeDefined();
      return path.join(cacheHome, 'clinic', name!);
    };
    const size = async (cacheHome: string, suffix: string) => (await fs.stat(await v8File(cacheHome, suffix))).size;
    // Alone, `users --help` compiles only the start-up and the users noun; it opens no database, so it writes no core.
    const alone = path.join(home, 'core-alone');
    expect((await spawnClinic(['users', '--help'], { env: { XDG_CACHE_HOME: alone } })).code).toBe(0);
    expect((await fs.readdir(path.join(alone, 'clinic'))).filter((name) => name.endsWith('_core.v8'))).toEqual([]);

    // `whoami` opens the database: what it compiled by then (knex, pg, connecting) is the core.
    const seeded = path.join(home, 'core');
    const env = { XDG_CACHE_HOME: seeded, CLINIC_DATA_DIR: path.join(home, 'core-data') };
    await spawnClinic(['whoami'], { env });
    expect((await spawnClinic(['db', 'server', 'stop'], { env })).code).toBe(0);
    const core = await v8File(seeded, '-_core.v8');
    expect((await fs.stat(core)).mode & 0o777).toBe(0o600);
    const coreWritten = (await fs.stat(core)).mtimeMs;
    expect((await spawnClinic(['users', '--help'], { env })).code).toBe(0);
    expect(await size(seeded, '-users.help.v8')).toBeGreaterThan(await size(alone, '-users.help.v8'));
    // Written once for the build.
    expect((await fs.stat(core)).mtimeMs).toBe(coreWritten);

    // A core V8 rejects (garbage under its name) is only slower.
    const garbage = path.join(home, 'core-garbage');
    await fs.mkdir(path.join(garbage, 'clinic'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(garbage, 'clinic', path.basename(core)), 'not a code cache');
    const result = await spawnClinic(['users', '--help'], { env: { XDG_CACHE_HOME: garbage } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: clinic users /);
    // It wrote its own cache from nothing, as the run alone did.
    expect(await size(garbage, '-users.help.v8')).toBeLessThan(await size(seeded, '-users.help.v8'));
  });

  it("keeps a command's file from its first successful run: not from its help, nor from a run that failed", async () => {
    const cacheHome = path.join(home, 'first-success');
    const env = { XDG_CACHE_HOME: cacheHome, CLINIC_DATA_DIR: path.join(home, 'first-success-data') };
    const files = async () => (await fs.readdir(path.join(cacheHome, 'clinic')).catch(() => [] as string[])).filter((name) => name.endsWith('.v8'));
    const statusFile = async () => (await files()).find((name) => name.endsWith('-db.status.v8'));
    expect((await spawnClinic(['db', 'status', '--help'], { env })).code).toBe(0);
    expect((await spawnClinic(['db', 'status', '-V'], { env })).code).toBe(0);
    expect((await spawnClinic(['db', 'status', '--no-such-flag'], { env })).code).toBe(2);
    expect(await statusFile()).toBeUndefined();
    expect((await files()).filter((name) => name.endsWith('-db.status.help.v8'))).toHaveLength(1);

    const done = await spawnClinic(['db', 'status'], { env });
    expect(done.code, done.stderr).toBe(0);
    const kept = await statusFile();
    expect(kept).toBeDefined();
    // It holds the command's work, which its help never compiled.
    const helpFile = (await files()).find((name) => name.endsWith('-db.status.help.v8'))!;
    const sizeOf = async (name: string) => (await fs.stat(path.join(cacheHome, 'clinic', name))).size;
    expect(await sizeOf(kept!)).toBeGreaterThan(await sizeOf(helpFile));
    expect((await spawnClinic(['db', 'server', 'stop'], { env })).code).toBe(0);
  });

  it('costs nothing but speed when it cannot be written', async () => {
    const notADirectory = path.join(home, 'a-file');
    await fs.writeFile(notADirectory, '');
    const result = await spawnClinic(['--help'], { env: { XDG_CACHE_HOME: notADirectory } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: clinic /);
    expect(result.stderr).toBe('');
  });

  describe('help text', () => {
    const helpFiles = async (cacheHome: string) =>
      (await fs.readdir(path.join(cacheHome, 'clinic')).catch(() => [] as string[])).filter((name) => /-help\.[0-9a-f]{8}\.txt$/.test(name));

    it('is kept by the first run and printed from that copy by the next, without the bundle', async () => {
      const cacheHome = path.join(home, 'help');
      const first = await spawnClinic(['appointments', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(/^Usage: clinic appointments /);
      const [file, ...others] = await helpFiles(cacheHome);
      expect(others).toEqual([]);
      const kept = path.join(cacheHome, 'clinic', file!);
      expect(await fs.readFile(kept, 'utf8')).toBe(first.stdout);
      expect((await fs.stat(kept)).mode & 0o777).toBe(0o600);

      // What the next run prints is the kept copy (changed here so that the test can tell).
      await fs.writeFile(kept, 'kept help\n');
      const second = await spawnClinic(['appointments', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
      expect(second).toMatchObject({ code: 0, stdout: 'kept help\n', stderr: '' });
      // `help appointments` and -h are other requests: built by Commander, each kept on its own.
      const viaHelp = await spawnClinic(['help', 'appointments'], { env: { XDG_CACHE_HOME: cacheHome } });
      expect(viaHelp.stdout).toMatch(/^Usage: clinic appointments /);
      const short = await spawnClinic(['appointments', '-h'], { env: { XDG_CACHE_HOME: cacheHome } });
      expect(short.stdout).toBe(first.stdout);
      expect(await helpFiles(cacheHome)).toHaveLength(3);
      // A verb of a group (noun, group, verb): kept and printed the same way.
      const deep = await spawnClinic(['doctors', 'hours', 'set', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
      expect(deep).toMatchObject({ code: 0, stderr: '' });
      expect(deep.stdout).toMatch(/^Usage: clinic doctors hours set /);
      const added = (await helpFiles(cacheHome)).filter((name) => fsSync.readFileSync(path.join(cacheHome, 'clinic', name), 'utf8') === deep.stdout);
      expect(added).toHaveLength(1);
      await fs.writeFile(path.join(cacheHome, 'clinic', added[0]!), 'kept deep help\n');
      expect((await spawnClinic(['doctors', 'hours', 'set', '--help'], { env: { XDG_CACHE_HOME: cacheHome } })).stdout).toBe('kept deep help\n');
    });

    it('is kept apart for each environment that could change it, and never for a run that wrote to stderr or a command', async () => {
      const cacheHome = path.join(home, 'help-env');
      const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnClinic(args, { env: { XDG_CACHE_HOME: cacheHome, ...env } });
      const plain = await run(['--help']);
      const other = await run(['--help'], { CLINIC_DATA_DIR: path.join(home, 'elsewhere') });
      expect(other.stdout).toBe(plain.stdout);
      expect(await helpFiles(cacheHome)).toHaveLength(2);

      // A help run that wrote to stderr (an unknown command: exit 2 naming the help to read) is not
      // kept: the run was not clean. A command without --help is not even looked up.
      const unknown = await run(['help', 'nosuch']);
      expect(unknown.stderr).toMatch(/^Error: unknown command 'nosuch'/);
      const dataEnv = { CLINIC_DATA_DIR: path.join(home, 'help-env-data') };
      await run(['whoami'], dataEnv);
      expect(await helpFiles(cacheHome)).toHaveLength(2);
      // whoami started the embedded server of that directory.
      expect((await run(['db', 'server', 'stop'], dataEnv)).code).toBe(0);
    });
  });
});
