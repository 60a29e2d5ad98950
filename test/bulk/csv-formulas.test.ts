import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { escapeFormulaCell, unescapeFormulaCell } from '../../src/domain/csv-cells.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff } from '../support/factories.js';

const NOW = new Date('2027-01-01T12:00:00Z');
const now = () => NOW;

/** Reasons a spreadsheet would run as formulas, already escaped ones, and harmless ones. */
const REASONS = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '-2+3', '@SUM(A1)', "'=already escaped", "''+two apostrophes", "'an apostrophe", 'Check-up = fine'];

describe('formula cells', () => {
  it('are escaped with one apostrophe, after any apostrophes they start with, and read back with one less', () => {
    const cases: Array<[string, string]> = [
      ['=1+1', "'=1+1"],
      ['+1', "'+1"],
      ['-1', "'-1"],
      ['@x', "'@x"],
      ['\tx', "'\tx"],
      ['\rx', "'\rx"],
      ["'=x", "''=x"],
      ["''@x", "'''@x"],
      ["'x", "'x"],
      ['a=b', 'a=b'],
      ['', ''],
    ];
    for (const [cell, written] of cases) {
      expect(escapeFormulaCell(cell)).toBe(written);
      expect(unescapeFormulaCell(written)).toBe(cell);
    }
  });
});

async function makePeople(knex: Knex) {
  await upsertSetting(knex, 'timezone', 'UTC', null);
  const staff = await makeStaff(knex, { username: 'desk.formulas' });
  await makeDoctor(knex, { username: 'dr.formulas' });
  await makePatient(knex, { username: 'pt.formulas' });
  return staff;
}

const reasonsOf = (knex: Knex) => knex('appointments').orderBy('starts_at').pluck('reason');

describeBackends('CSV that spreadsheets open', (db) => {
  let tmp: string;
  const cli = (args: string[], database: TestDatabase, actor: Awaited<ReturnType<typeof makePeople>>) =>
    runCli(args, { database: database.database, actor, now });

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(inject('testRoot'), 'clinic-formulas-')); // the run's root, which the teardown removes
  });

  it('appointments export --format csv escapes formula cells, and the import restores them exactly', async () => {
    const staff = await makePeople(db().knex);
    // NDJSON is not for spreadsheets: read and written exactly
    const ndjson = REASONS.map((reason, i) =>
      JSON.stringify({
        patient: 'pt.formulas',
        doctor: 'dr.formulas',
        date: '2027-01-11',
        time: `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`,
        reason,
      }),
    ).join('\n');
    const seeded = path.join(tmp, 'seed.ndjson');
    await fs.writeFile(seeded, ndjson);
    expect((await cli(['appointments', 'import', seeded, '--json'], db(), staff)).json()).toMatchObject({ imported: REASONS.length });
    expect(await reasonsOf(db().knex)).toEqual(REASONS);

    const exported = await cli(['appointments', 'export', '--format', 'csv'], db(), staff);
    expect(exported.code).toBe(0);
    const cells = (parse(exported.stdout, { columns: true }) as Array<{ reason: string }>).map((row) => row.reason);
    expect(cells).toEqual([
      "'=cmd|' /C calc'!A0",
      "'+SUM(1,2)",
      "'-2+3",
      "'@SUM(A1)",
      "''=already escaped",
      "'''+two apostrophes",
      "'an apostrophe",
      'Check-up = fine',
    ]);
    const ndjsonExport = await cli(['appointments', 'export', '--format', 'ndjson'], db(), staff);
    expect(
      ndjsonExport.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).reason),
    ).toEqual(REASONS);

    const file = path.join(tmp, 'export.csv');
    await fs.writeFile(file, exported.stdout);
    const fresh = await createTestDatabase(db().backend);
    try {
      const freshStaff = await makePeople(fresh.knex);
      expect((await cli(['appointments', 'import', file, '--json'], fresh, freshStaff)).json()).toEqual({ imported: REASONS.length, skipped: 0, rejected: 0 });
      expect(await reasonsOf(fresh.knex)).toEqual(REASONS);
    } finally {
      await fresh.drop();
    }
  });

  it('a rejects file escapes formula cells too, and imports as the rows were given', async () => {
    const staff = await makeStaff(db().knex, { username: 'desk.rejects' });
    const file = path.join(tmp, 'patients.csv');
    await fs.writeFile(file, ['username,name,dob', 'pt.formula.a,"=HYPERLINK(""http://x"")",2999-01-01'].join('\n'));
    const rejects = path.join(tmp, 'rejects.csv');
    expect((await cli(['patients', 'import', file, '--skip-invalid', '--rejects', rejects, '--json'], db(), staff)).json()).toEqual({
      imported: 0,
      skipped: 0,
      rejected: 1,
    });
    const text = await fs.readFile(rejects, 'utf8');
    expect((parse(text, { columns: true }) as Array<{ name: string }>)[0]!.name).toBe(`'=HYPERLINK("http://x")`);
    await fs.writeFile(rejects, text.replace('2999-01-01', '1999-01-01'));
    expect((await cli(['patients', 'import', rejects, '--json'], db(), staff)).json()).toEqual({ imported: 1, skipped: 0, rejected: 0 });
    expect(await db().knex('users').where({ username: 'pt.formula.a' }).pluck('full_name')).toEqual(['=HYPERLINK("http://x")']);
  });
});
