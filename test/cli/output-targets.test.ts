import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeDoctor, makeStaff } from '../support/factories.js';
import { CLINIC_BIN, childEnv, spawnClinic, type SpawnResult } from '../support/spawn.js';

/**
 * Where a command's output goes, as a shell hands it over: a stdout that cannot be written (a full
 * disk, here /dev/full) is one clear error and exit 1; `--output -` is stdout; `--json` makes the
 * export itself the one JSON value; `--rejects` names a descriptor (/dev/stderr), a link or a FIFO
 * and is written through it, never replacing what the path names.
 */
const STACK_FRAME = /^\s+at /m;

for (const backend of backends) {
  describe(`output targets [${backend}]`, () => {
    let db: TestDatabase;
    let token: string;
    let tmp: string;
    const targetArgs = () => (db.target.backend === 'postgres' ? ['--database-url', db.target.url] : ['--data-dir', db.target.dataDir]);
    // The embedded directory's server serves this file's connection and the children's alike.
    const clinic = (args: string[], options: { cwd?: string } = {}) => spawnClinic([...args, ...targetArgs()], { env: { CLINIC_TOKEN: token }, ...options });
    /** The binary with its stdout on /dev/full: every write fails with ENOSPC. */
    const toFullDisk = (args: string[]) =>
      new Promise<SpawnResult>((resolve, reject) => {
        const full = openSync('/dev/full', 'w');
        const child = spawn(process.execPath, [CLINIC_BIN, ...args, ...targetArgs()], {
          env: { ...childEnv(), NO_COLOR: '1', CLINIC_TOKEN: token },
          stdio: ['ignore', full, 'pipe'],
        });
        closeSync(full);
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
      });

    beforeAll(async () => {
      db = await createTestDatabase(backend);
      await storeInitialTimeZone(db.knex, 'UTC');
      const staff = await makeStaff(db.knex);
      token = (await createApiToken(db.context(staff), { name: 'outputs' })).token;
      await makeDoctor(db.knex, { username: 'out.dr' });
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-outputs-'));
    });
    afterAll(async () => {
      await db?.drop();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    it('a stdout that cannot be written (a full disk) is one clear error and exit 1, in text and in JSON', async () => {
      for (const args of [['doctors', 'list'], ['doctors', 'list', '--json'], ['export']]) {
        const result = await toFullDisk(args);
        expect({ args, code: result.code }).toEqual({ args, code: 1 });
        expect(result.stderr).not.toMatch(STACK_FRAME);
        expect(result.stderr).not.toContain('clinic.cjs');
        if (args.includes('--json')) {
          expect(JSON.parse(result.stderr)).toEqual({
            error: { code: 'OUTPUT', message: expect.stringContaining('no space left on the device, ENOSPC'), remedy: expect.any(String) },
          });
        } else {
          expect(result.stderr).toMatch(/^Error: Could not write the output \(no space left on the device, ENOSPC\): what was written is incomplete\.\n/);
        }
      }
    });

    it('export --output to a full device is exit 1 naming it; --output - is stdout and makes no file named -', async () => {
      const full = await clinic(['export', '--output', '/dev/full']);
      expect(full.code).toBe(1);
      expect(full.stderr).toContain('Could not write /dev/full (no space left on the device, ENOSPC).');
      expect(full.stderr).not.toMatch(STACK_FRAME);

      const dash = await clinic(['export', '--output', '-'], { cwd: tmp });
      expect(dash.code).toBe(0);
      expect(JSON.parse(dash.stdout.split('\n')[0]!)).toMatchObject({ format: expect.any(String) });
      expect(dash.stdout).toContain('"out.dr"');
      await expect(fs.stat(path.join(tmp, '-'))).rejects.toThrow(/ENOENT/);
    });

    it('export --json writes the export as one JSON value; with an explicit --format ndjson it is a usage error', async () => {
      const json = await clinic(['export', '--json']);
      expect(json.code).toBe(0);
      expect(json.stderr).toBe('');
      const value = JSON.parse(json.stdout) as { tables: Record<string, Array<{ username?: string }>> };
      expect(value.tables.users!.map((user) => user.username)).toContain('out.dr');

      const both = await clinic(['export', '--json', '--format', 'ndjson']);
      expect(both.code).toBe(2);
      expect(JSON.parse(both.stderr).error.message).toContain('--format ndjson');
      expect(both.stdout).toBe('');
    });

    it('--rejects - is a usage error; /dev/stderr, a link and a FIFO are written through, never replaced', async () => {
      const input = path.join(tmp, 'bad.csv');
      await fs.writeFile(input, 'patient,doctor,date,time,reason\nnobody.here,out.dr,2031-03-17,11:00,x\n');
      const importing = (rejects: string) => clinic(['appointments', 'import', input, '--skip-invalid', '--rejects', rejects]);

      const dash = await importing('-');
      expect(dash.code).toBe(2);
      expect(dash.stderr).toContain('--rejects - would mix the bad rows into stdout');

      const stderr = await importing('/dev/stderr');
      expect(stderr.code).toBe(0);
      expect(stderr.stderr).toMatch(/^patient,doctor,date,time,reason,.*_line,_error\nnobody\.here,out\.dr,2031-03-17,11:00,x,.*,2,/);
      expect((await fs.lstat('/dev/stderr')).isSymbolicLink()).toBe(true);

      const real = path.join(tmp, 'rejects-real.csv');
      const link = path.join(tmp, 'rejects-link.csv');
      await fs.writeFile(real, 'old\n');
      await fs.symlink(real, link);
      expect((await importing(link)).code).toBe(0);
      expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
      expect(await fs.readFile(real, 'utf8')).toMatch(/^patient,.*\nnobody\.here,/);

      const fifo = path.join(tmp, 'rejects.fifo');
      execFileSync('mkfifo', [fifo]);
      const reader = fs.readFile(fifo, 'utf8');
      expect((await importing(fifo)).code).toBe(0);
      expect(await reader).toMatch(/^patient,.*\nnobody\.here,/);
      expect((await fs.lstat(fifo)).isFIFO()).toBe(true);
    });
  });
}
