import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLINIC_BIN } from '../support/spawn.js';

/**
 * The README's "Using clinic" examples work as written after its quick start: a fresh embedded data
 * directory, `clinic init --demo`, then each line of the block run by a shell whose PATH has
 * `clinic` (what `npm link` gives) — exit 0 for each.
 */
const readme = await fs.readFile(new URL('../../README.md', import.meta.url), 'utf8');
const usage = readme.split('## Using clinic')[1]!;
const lines = /```sh\n([\s\S]*?)```/.exec(usage)![1]!.trim().split('\n');

let home: string;
let env: NodeJS.ProcessEnv;

function sh(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-readme-'));
  await fs.mkdir(path.join(home, 'bin'));
  await fs.writeFile(path.join(home, 'bin', 'clinic'), `#!/bin/sh\nexec "${process.execPath}" "${CLINIC_BIN}" "$@"\n`, { mode: 0o755 });
  env = {
    PATH: `${path.join(home, 'bin')}:${process.env.PATH}`,
    HOME: home,
    NO_COLOR: '1',
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
  };
  const init = await sh('clinic init --demo');
  expect(init.code, init.stderr).toBe(0);
}, 240_000); // initdb of a new PGlite directory, on a loaded machine

afterAll(async () => {
  await sh('clinic db server stop');
  await fs.rm(home, { recursive: true, force: true });
});

it('has the usage block', () => {
  expect(lines.length).toBeGreaterThanOrEqual(6);
  expect(lines.every((line) => line.startsWith('clinic '))).toBe(true);
});

it('runs every usage example as written, in order, after `clinic init --demo`', async () => {
  for (const line of lines) {
    const result = await sh(line);
    expect(result.code, `${line}\n${result.stderr}`).toBe(0);
    expect(result.stderr, line).not.toMatch(/^Error/m);
  }
  const booked = await sh('clinic appointments list --doctor dr.costa --json');
  expect(JSON.parse(booked.stdout)).toEqual([expect.objectContaining({ patient: 'joao.p', doctor: 'dr.costa', status: 'APPROVED' })]);
}, 240_000);
