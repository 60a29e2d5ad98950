import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff } from '../support/factories.js';
import { CLINIC_BIN, spawnClinic } from '../support/spawn.js';

/**
 * `clinic completion bash|zsh|fish`: a real bash sources the script and calls its function with
 * COMP_WORDS/COMP_CWORD, as bash does on TAB; `clinic` on its PATH is the built binary. zsh and
 * fish parse theirs (`zsh -n`, `fish -n`) when installed.
 */
let home: string;
let scripts: Record<'bash' | 'zsh' | 'fish', string>;

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-completion-'));
  await fs.mkdir(path.join(home, 'bin'));
  await fs.writeFile(path.join(home, 'bin', 'clinic'), `#!/bin/sh\nexec "${process.execPath}" "${CLINIC_BIN}" "$@"\n`, { mode: 0o755 });
  scripts = {} as typeof scripts;
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const result = await spawnClinic(['completion', shell]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    scripts[shell] = path.join(home, `clinic.${shell}`);
    await fs.writeFile(scripts[shell], result.stdout);
  }
});

afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

function run(program: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: {
        PATH: `${path.join(home, 'bin')}:${process.env.PATH}`,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, 'config'),
        XDG_CACHE_HOME: path.join(home, 'cache'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What bash offers for the line `clinic WORDS…` with the cursor at the end of the last word. */
async function bashCompletes(line: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const words = ['clinic', ...line].map((word) => `'${word}'`).join(' ');
  const result = await run(
    'bash',
    ['-c', `source '${scripts.bash}' && COMP_WORDS=(${words}) && COMP_CWORD=${line.length} && _clinic && printf '%s\\n' "\${COMPREPLY[@]}"`],
    env,
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.split('\n').filter(Boolean);
}

async function hasShell(name: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${name}`])).code === 0;
}

describe('the scripts', () => {
  it('bash completes nouns, verbs, flags (global ones too) and the shells of `completion`', async () => {
    expect(await bashCompletes(['ap'])).toEqual(['appointments']);
    expect(await bashCompletes([''])).toEqual(expect.arrayContaining(['init', 'appointments', 'doctors', 'completion', 'help']));
    expect(await bashCompletes([''])).not.toContain('__complete');
    expect(await bashCompletes(['appointments', 're'])).toEqual(['reject', 'reschedule']);
    expect(await bashCompletes(['doctors', 'hours', ''])).toEqual(['set', 'show', 'help']);
    expect(await bashCompletes(['appointments', 'book', '--pa'])).toEqual(['--patient']);
    expect(await bashCompletes(['--json', 'appointments', 'book', '--doctor', 'x', '--next'])).toEqual(['--next-available']);
    expect(await bashCompletes(['appointments', 'list', '--no-'])).toEqual(['--no-color', '--no-input', '--no-pager']);
    expect(await bashCompletes(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A flag's value is not a verb: `--reason list` stays in `book`.
    expect(await bashCompletes(['appointments', 'book', '--reason', 'list', '--app'])).toEqual(['--approve']);
  });

  it('is the same text on every run: the tree is written into it, the database is not asked', async () => {
    const again = await spawnClinic(['completion', 'bash', '--data-dir', path.join(home, 'nowhere')]);
    expect(again.stdout).toBe(await fs.readFile(scripts.bash, 'utf8'));
    await expect(fs.stat(path.join(home, 'nowhere'))).rejects.toThrow();
  });

  it('zsh parses its script', async (context) => {
    if (!(await hasShell('zsh'))) context.skip();
    const result = await run('zsh', ['-n', scripts.zsh]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('fish parses its script', async (context) => {
    if (!(await hasShell('fish'))) context.skip();
    const result = await run('fish', ['-n', scripts.fish]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('fish completes verbs and flags from its script', async (context) => {
    if (!(await hasShell('fish'))) context.skip();
    const complete = async (line: string) => {
      const result = await run('fish', ['--no-config', '-c', `source '${scripts.fish}'; complete -C '${line}'`]);
      expect(result.stderr).toBe('');
      return result.stdout
        .split('\n')
        .filter(Boolean)
        .map((row) => row.split('\t')[0]);
    };
    expect(await complete('clinic appointments re')).toEqual(['reject', 'reschedule']);
    expect(await complete('clinic appointments book --pat')).toEqual(['--patient']);
  });

  it('an unknown shell is a usage error', async () => {
    const result = await spawnClinic(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
    expect(result.stderr).toContain("See 'clinic completion --help'.");
  });
});

describeBackends('usernames for --doctor and --patient', (db) => {
  let doctorToken: string;
  let staffToken: string;
  const targetArgs = () => {
    const target = db().target;
    return target.backend === 'postgres' ? ['--database-url', target.url] : ['--data-dir', target.dataDir];
  };

  beforeAll(async () => {
    const knex = db().knex;
    const drOwn = await makeDoctor(knex, { username: 'dr.own' });
    await makeDoctor(knex, { username: 'dr.other' });
    await makePatient(knex, { username: 'pat.own', doctors: [drOwn] });
    await makePatient(knex, { username: 'pat.other' });
    const staff = await makeStaff(knex, { username: 'front.desk' });
    doctorToken = (await createApiToken(db().context(drOwn), { name: 'completion', expiresIn: 'never' })).token;
    staffToken = (await createApiToken(db().context(staff), { name: 'completion', expiresIn: 'never' })).token;
  });

  it('offers only the patients the logged-in user may see, and every doctor', async () => {
    const env = { CLINIC_TOKEN: doctorToken };
    expect(await bashCompletes([...targetArgs(), 'appointments', 'book', '--patient', 'pat.'], env)).toEqual(['pat.own']);
    expect(await bashCompletes([...targetArgs(), 'appointments', 'book', '--doctor', 'dr.'], env)).toEqual(['dr.other', 'dr.own']);
    const staff = await bashCompletes([...targetArgs(), 'appointments', 'list', '--patient', 'pat.'], { CLINIC_TOKEN: staffToken });
    expect(staff).toEqual(['pat.other', 'pat.own']);
  });

  it('answers from a private cache file (0600 in 0700) without asking the database again', async () => {
    const env = { CLINIC_TOKEN: doctorToken, XDG_CACHE_HOME: path.join(home, `cache-${db().backend}`) };
    const first = await run('clinic', ['__complete', 'patients', ...targetArgs(), '--debug'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('pat.own\n');
    expect(first.stderr).toContain('[sql]');
    const directory = path.join(home, `cache-${db().backend}`, 'clinic', 'completion');
    const [file] = await fs.readdir(directory);
    expect((await fs.stat(directory)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(directory, file!))).mode & 0o777).toBe(0o600);
    const second = await run('clinic', ['__complete', 'patients', ...targetArgs(), '--debug'], env);
    expect(second).toMatchObject({ code: 0, stdout: 'pat.own\n', stderr: '' });
  });

  it('offers nothing when nobody is logged in', async () => {
    const result = await run('clinic', ['__complete', 'patients', ...targetArgs()]);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await bashCompletes([...targetArgs(), 'appointments', 'book', '--patient', ''])).toEqual([]);
  });
});
