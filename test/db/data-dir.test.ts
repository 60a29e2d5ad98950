import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnClinic, type SpawnResult } from '../support/spawn.js';

const STACK_FRAME = /\n\s+at /;
const NOBODY = 65534;

/** The binary run from `cwd` (also its HOME), as `uid` when given. */
function clinic(args: string[], options: { cwd?: string; uid?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SpawnResult> {
  return spawnClinic(args, { ...options, env: { HOME: options.cwd ?? process.env.HOME, ...options.env } });
}

/** Every path below `dir` (itself included) whose mode lets group or others in. */
async function wideModes(dir: string): Promise<string[]> {
  const wide: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const stat = await fs.lstat(current);
    if ((stat.mode & 0o077) !== 0) wide.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(dir, current) || '.'}`);
    if (stat.isDirectory()) for (const name of await fs.readdir(current)) pending.push(path.join(current, name));
  }
  return wide;
}

async function widen(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    await fs.chmod(file, entry.isDirectory() ? 0o777 : 0o666);
  }
  await fs.chmod(dir, 0o755);
}

describe('embedded data directory on disk', () => {
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-datadir-'));
    await fs.chmod(root, 0o755);
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('a directory that existed with wide modes ends 0700, every file in it 0600 (WAL, pg_control)', async () => {
    const dataDir = path.join(root, 'existing');
    await fs.cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
    // The template was closed by its server (modes tightened): open it up as PGlite itself leaves its files.
    await widen(dataDir);
    expect((await wideModes(dataDir)).length).toBeGreaterThan(100);

    const result = await clinic(['db', 'migrate', '--data-dir', dataDir], { cwd: root });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await wideModes(dataDir)).toEqual([]);
    expect((await fs.stat(path.join(dataDir, 'global', 'pg_control'))).mode & 0o777).toBe(0o600);
  });

  it('an empty --data-dir is exit 3 and writes nothing into the current directory', async () => {
    const cwd = path.join(root, 'cwd');
    await fs.mkdir(cwd);
    const result = await clinic(['db', 'status', '--data-dir', ''], { cwd });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--data-dir is empty');
    expect(await fs.readdir(cwd)).toEqual([]);
  });

  it('a data directory that is a regular file, or lies below one, is exit 3 naming the file', async () => {
    const file = path.join(root, 'plain-file');
    await fs.writeFile(file, 'not a directory\n');
    for (const dataDir of [file, path.join(file, 'clinic'), path.join(file, 'deeper', 'clinic')]) {
      const result = await clinic(['db', 'status', '--data-dir', dataDir], { cwd: root });
      expect(result.stderr).toContain(`${file} `);
      expect(result.stderr).not.toMatch(/Unexpected error|bug/);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.code).toBe(3);
    }
    expect(await fs.readFile(file, 'utf8')).toBe('not a directory\n');
  });

  it('a data directory that is a symbolic link is refused (exit 8) and its target left alone', async () => {
    const real = path.join(root, 'elsewhere');
    await fs.mkdir(real, { mode: 0o755 });
    const link = path.join(root, 'linked');
    await fs.symlink(real, link);
    const result = await clinic(['db', 'status', '--data-dir', link], { cwd: root });
    expect(result.code).toBe(8);
    expect(result.stderr).toContain(`${link} is a symbolic link to ${real}`);
    expect(result.stderr).toContain(`--data-dir ${real}`);
    expect(await fs.readdir(real)).toEqual([]);
    expect((await fs.stat(real)).mode & 0o777).toBe(0o755);
    await expect(fs.lstat(`${link}.lock`)).rejects.toThrow();
  });

  it('a lock path that is a symbolic link is refused (exit 8), not written through', async () => {
    const dataDir = path.join(root, 'locklink');
    await fs.mkdir(dataDir, { mode: 0o700 });
    const victim = path.join(root, 'victim');
    await fs.writeFile(victim, 'keep\n');
    await fs.symlink(victim, `${dataDir}.lock`);
    const result = await clinic(['db', 'status', '--data-dir', dataDir, '--lock-timeout', '1'], { cwd: root });
    expect(result.code).toBe(8);
    expect(result.stderr).toContain(`The lock file ${dataDir}.lock is not a regular file`);
    expect(await fs.readFile(victim, 'utf8')).toBe('keep\n');
  });

  describe.runIf(process.getuid?.() === 0)('permissions (run as another user)', () => {
    it('a directory it may not write to is exit 8 "Permission denied", and no lock is left', async () => {
      const parent = path.join(root, 'root-only');
      await fs.mkdir(parent, { mode: 0o755 });
      const dataDir = path.join(parent, 'clinic');
      await fs.mkdir(dataDir, { mode: 0o700 });
      await fs.chown(dataDir, NOBODY, NOBODY);
      const result = await clinic(['db', 'status', '--data-dir', dataDir], { cwd: '/tmp', uid: NOBODY });
      // The first thing the server needs beside the data directory is its run directory (socket, log).
      expect(result.stderr).toContain(`Permission denied on ${dataDir}.run`);
      expect(result.stderr).not.toMatch(/Unexpected error|bug/);
      expect(result.code).toBe(8);
      await expect(fs.lstat(`${dataDir}.lock`)).rejects.toThrow();
    });

    it('another user\'s directory is exit 8 "Operation not permitted"', async () => {
      const parent = path.join(root, 'shared');
      await fs.mkdir(parent, { mode: 0o777 });
      await fs.chmod(parent, 0o777);
      const dataDir = path.join(parent, 'clinic');
      await fs.mkdir(dataDir, { mode: 0o755 });
      await fs.chmod(dataDir, 0o755);
      const result = await clinic(['db', 'status', '--data-dir', dataDir], { cwd: '/tmp', uid: NOBODY });
      expect(result.stderr).toContain(`The data directory ${dataDir} belongs to another user (uid 0); refusing to open it.`);
      expect(result.stderr).not.toMatch(/Unexpected error|bug/);
      expect(result.code).toBe(8);
    });
  });
});
