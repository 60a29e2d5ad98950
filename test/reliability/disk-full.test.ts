import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serverStatus, stopServer } from '../../src/db/server/client.js';
import { spawnClinic } from '../support/spawn.js';
import { STACK_FRAME } from './helpers.js';

/** A real full disk: a 64 MB tmpfs holding a copy of a migrated data directory, filled up with a filler file. */
function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-diskfull-'));
const mounted = process.getuid?.() === 0 && tryMount(root);

describe.runIf(mounted)('embedded database on a full disk', () => {
  const dataDir = path.join(root, 'clinic');
  const filler = path.join(root, 'filler');
  const configHome = path.join(os.tmpdir(), `clinic-diskfull-cfg-${process.pid}`);

  async function fillLeaving(bytes: number) {
    await fs.rm(filler, { force: true });
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64K'], { stdio: 'ignore' });
    } catch {
      // dd stops with ENOSPC: the disk is full.
    }
    if (bytes > 0) await fs.truncate(filler, Math.max(0, (await fs.stat(filler)).size - bytes));
  }

  beforeAll(async () => {
    await fs.cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
  });

  afterAll(async () => {
    await stopServer(dataDir, process.env);
    execFileSync('umount', [root]);
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(configHome, { recursive: true, force: true });
  });

  it('no room even for the lock file: exit 8 naming the directory, no lock left behind', async () => {
    await fillLeaving(0);
    const result = await spawnClinic(['db', 'status', '--data-dir', dataDir]);
    expect(result.stderr).toContain(`No space left on the disk that holds the embedded database at ${dataDir} (ENOSPC).`);
    expect(result.stderr).not.toMatch(/bug|Unexpected/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code).toBe(8);
    await expect(fs.lstat(`${dataDir}.lock`)).rejects.toThrow();
  });

  it('the disk fills during a write: exit 8 naming the directory, no lock left, the database opens again', async () => {
    await fs.rm(filler, { force: true });
    const init = await spawnClinic(['init', '--timezone', 'UTC', '--admin-username', 'boss', '--admin-password-stdin', '--data-dir', dataDir], {
      input: 'Correct-Horse-Battery-9\n',
      env: { XDG_CONFIG_HOME: configHome },
    });
    expect(init.code, init.stderr).toBe(0);
    await fillLeaving(4096);

    const seed = await spawnClinic(['db', 'seed', '--demo', '--data-dir', dataDir]);
    expect(seed.stderr).toContain(`No space left on the disk that holds the embedded database at ${dataDir}`);
    expect(seed.stderr).not.toMatch(/bug|Unexpected|INSERT|SELECT/);
    expect(seed.stderr).not.toMatch(STACK_FRAME);
    expect(seed.code).toBe(8);
    // The failed command leaves nothing behind: the lock is the live server's, and goes when it stops.
    const server = await serverStatus(dataDir, process.env);
    expect((await fs.readFile(`${dataDir}.lock`, 'utf8')).split('\n')[0]).toBe(String(server?.pid));
    await stopServer(dataDir, process.env);
    await expect(fs.lstat(`${dataDir}.lock`)).rejects.toThrow();

    await fs.rm(filler, { force: true });
    const status = await spawnClinic(['db', 'status', '--json', '--data-dir', dataDir]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ backend: 'embedded', upToDate: true });
  });
});

describe.skipIf(mounted)('embedded database on a full disk (needs root and tmpfs)', () => {
  it.skip('skipped: cannot mount a tmpfs here', () => {});
});
