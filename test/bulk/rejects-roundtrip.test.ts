import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeStaff, uniqueName } from '../support/factories.js';

/** A rejects file is an import file again: the original columns, with _line and _error that imports ignore. */
describeBackends('a rejects file imports as is', (db) => {
  let staff: Actor;
  let tmp: string;
  const cli = (args: string[], stdin?: string) => runCli(args, { database: db().database, actor: staff, ...(stdin === undefined ? {} : { stdin }) });
  const rows = async (file: string) => parse(await fs.readFile(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-rejects-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('re-imported unchanged, the same rows are rejected for the same reasons; fixed, they are imported', async () => {
    const [good, future, nameless] = [uniqueName('pt'), uniqueName('pt'), uniqueName('pt')];
    const file = path.join(tmp, 'patients.csv');
    await fs.writeFile(file, ['username,name,dob', `${good},Good Row,1980-01-01`, `${future},Future Child,2999-01-01`, `${nameless},,1970-05-05`].join('\n'));
    const rejects = path.join(tmp, 'rejects.csv');
    const first = await cli(['patients', 'import', file, '--skip-invalid', '--rejects', rejects, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toEqual({ imported: 1, skipped: 0, rejected: 2 });
    const rejected = await rows(rejects);
    expect(rejected.map((row) => [row.username, row._line])).toEqual([
      [future, '3'],
      [nameless, '4'],
    ]);

    const again = path.join(tmp, 'rejects-again.csv');
    const second = await cli(['patients', 'import', rejects, '--skip-invalid', '--rejects', again, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toEqual({ imported: 0, skipped: 0, rejected: 2 });
    const rejectedAgain = await rows(again);
    expect(rejectedAgain.map((row) => [row.username, row._error])).toEqual(rejected.map((row) => [row.username, row._error]));

    // fixed in place, notes and all: all or nothing, and both come in
    const fixed = (await fs.readFile(rejects, 'utf8')).replace('2999-01-01', '1999-01-01').replace(`${nameless},,`, `${nameless},Named Now,`);
    await fs.writeFile(rejects, fixed);
    const third = await cli(['patients', 'import', rejects, '--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.json()).toEqual({ imported: 2, skipped: 0, rejected: 0 });
    expect(await db().knex('users').whereIn('username', [future, nameless]).orderBy('username').pluck('full_name')).toEqual(
      [future, nameless].sort().map((username) => (username === future ? 'Future Child' : 'Named Now')),
    );
  });

  it('ignores NDJSON fields and CSV columns whose names start with "_", and still refuses other unknown ones', async () => {
    const username = uniqueName('pt');
    const ndjson = await cli(['patients', 'import', '-', '--json'], `${JSON.stringify({ username, name: 'With Notes', _line: 7, _note: { any: 'thing' } })}\n`);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(ndjson.json()).toEqual({ imported: 1, skipped: 0, rejected: 0 });
    const unknown = await cli(['patients', 'import', '-', '--format', 'csv'], `username,name,note\n${uniqueName('pt')},X Y,z\n`);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('unknown column(s) "note"');
  });
});
