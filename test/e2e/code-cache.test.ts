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
    const files = await fs.readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-appointments\.v8$/);
    const file = path.join(dir, files[0]!);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const written = (await fs.stat(file)).mtimeMs;

    const second = await spawnClinic(['appointments', '--help'], { env: { XDG_CACHE_HOME: cacheHome } });
    expect(second).toMatchObject({ code: 0, stdout: first.stdout, stderr: '' });
    // Accepted, so not written again.
    expect((await fs.stat(file)).mtimeMs).toBe(written);
  });

  it('costs nothing but speed when it cannot be written', async () => {
    const notADirectory = path.join(home, 'a-file');
    await fs.writeFile(notADirectory, '');
    const result = await spawnClinic(['--help'], { env: { XDG_CACHE_HOME: notADirectory } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: clinic /);
    expect(result.stderr).toBe('');
  });
});
