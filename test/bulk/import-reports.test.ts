import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeStaff, uniqueName } from '../support/factories.js';

/** What a person at a terminal is shown of an import's bad rows, and of a file imported before. */
describeBackends('import reports', (db) => {
  let staff: Actor;
  let tmp: string;
  const cli = (args: string[]) => runCli(args, { database: db().database, actor: staff, env: { XDG_STATE_HOME: path.join(tmp, 'state'), NO_COLOR: '1' } });
  /** `bad` rows a patient import refuses (a date of birth in the future), after one good row. */
  const file = async (name: string, bad: number) => {
    const lines = ['username,name,dob', `${uniqueName('pt')},Good Row,1980-01-01`];
    for (let i = 0; i < bad; i++) lines.push(`${uniqueName('pt')},Future ${i},2999-01-01`);
    const at = path.join(tmp, name);
    await fs.writeFile(at, `${lines.join('\n')}\n`);
    return at;
  };
  const reportOf = async (stderr: string) => {
    const named = /full report: (\S+)/.exec(stderr);
    expect(named, stderr).not.toBeNull();
    const report = named![1]!;
    const [stat, dir] = await Promise.all([fs.stat(report), fs.stat(path.dirname(report))]);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(dir.mode & 0o777).toBe(0o700);
    return (await fs.readFile(report, 'utf8')).trimEnd().split('\n');
  };

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-reports-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('a refused file lists its first 20 bad rows, then how many more and the full report', async () => {
    const result = await cli(['patients', 'import', await file('refused.csv', 25)]);
    expect(result.code).toBe(3);
    const listed = result.stderr.split('\n').filter((line) => /^ {2}line \d+:/.test(line));
    expect(listed).toHaveLength(20);
    expect(listed[0]).toMatch(/^ {2}line 3: /);
    expect(result.stderr).toContain('… and 5 more rows; full report: ');
    const report = await reportOf(result.stderr);
    expect(report).toHaveLength(25);
    expect(report[0]).toMatch(/^line 3: /);
    expect(report[24]).toMatch(/^line 27: /);
  });

  it('--skip-invalid without --rejects: the same 20 on stderr and the report of all of them; the good row imported', async () => {
    const result = await cli(['patients', 'import', await file('skipped.csv', 22), '--skip-invalid']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n').filter((line) => /^line \d+:/.test(line))).toHaveLength(20);
    expect(result.stderr).toContain('… and 2 more rows; full report: ');
    expect(await reportOf(result.stderr)).toHaveLength(22);
    expect(result.stdout).toContain('Imported 1 patients');
  });

  it('20 bad rows or fewer: all listed, no report', async () => {
    const result = await cli(['patients', 'import', await file('few.csv', 3)]);
    expect(result.code).toBe(3);
    expect(result.stderr.split('\n').filter((line) => /^ {2}line \d+:/.test(line))).toHaveLength(3);
    expect(result.stderr).not.toContain('full report');
  });

  it('--json keeps every row for scripts', async () => {
    const result = await cli(['patients', 'import', await file('json.csv', 25), '--json']);
    expect(result.code).toBe(3);
    expect((JSON.parse(result.stderr) as { error: { rows: unknown[] } }).error.rows).toHaveLength(25);
  });

  it('a file imported before says so, and changes nothing', async () => {
    const again = await file('again.csv', 0);
    const username = (await fs.readFile(again, 'utf8')).split('\n')[1]!.split(',')[0]!;
    expect((await cli(['patients', 'import', again])).code).toBe(0);
    const second = await cli(['patients', 'import', again]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Nothing to import: all 1 patients in this file were imported before');
    expect(await db().knex('users').where({ username }).pluck('full_name')).toEqual(['Good Row']);
    const json = await cli(['patients', 'import', again, '--json']);
    expect(json.json()).toEqual({ imported: 0, skipped: 1, rejected: 0 });
  });
});
