import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { processIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { STACK_FRAME } from './helpers.js';

/**
 * A corpus of malformed CSV and NDJSON files for every import command: each is either refused as
 * invalid input (exit 3, nothing written, no stack trace) or imported exactly as written.
 */
const program = (await buildProgram(new CliContext({ io: processIO(), env: {} }))) as unknown as Command;
const importCommands = (program.commands as Command[]).flatMap((noun) =>
  (noun.commands as Command[]).filter((verb) => verb.name() === 'import').map((verb) => `${noun.name()} ${verb.name()}`),
);

type Bytes = string | Buffer;
interface Case {
  name: string;
  file: string;
  content: (good: Good) => Bytes;
  /** allowed exit codes; 0 means the good rows must then be in the database exactly */
  codes: number[];
}
interface Good {
  header: string;
  rows: string[];
  ndjson: string[];
}

const BIG = 'x'.repeat(10 * 1024 * 1024);

const CASES: Case[] = [
  { name: 'valid (baseline)', file: 'ok.csv', content: (g) => `${g.header}\n${g.rows.join('\n')}\n`, codes: [0] },
  { name: 'CRLF line endings', file: 'crlf.csv', content: (g) => `${g.header}\r\n${g.rows.join('\r\n')}\r\n`, codes: [0] },
  {
    name: 'UTF-8 byte order mark',
    file: 'bom.csv',
    content: (g) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${g.header}\n${g.rows.join('\n')}\n`)]),
    codes: [0],
  },
  { name: 'unclosed quote', file: 'quote.csv', content: (g) => `${g.header}\n${g.rows[0]}\n${g.rows[1]!.replace(/,([^,]*)$/, ',"$1')}\n`, codes: [3] },
  {
    name: 'a row with too few columns',
    file: 'few.csv',
    content: (g) => `${g.header}\n${g.rows[0]}\n${g.rows[1]!.split(',').slice(0, -1).join(',')}\n`,
    codes: [3],
  },
  { name: 'a row with too many columns', file: 'many.csv', content: (g) => `${g.header}\n${g.rows[0]}\n${g.rows[1]},surplus,more\n`, codes: [3] },
  { name: 'an extra, unknown column', file: 'extra.csv', content: (g) => `${g.header},shoe_size\n${g.rows.map((r) => `${r},44`).join('\n')}\n`, codes: [0, 3] },
  {
    name: 'NUL byte in a field',
    file: 'nul.csv',
    content: (g) => `${g.header}\n${g.rows[0]}\n${g.rows[1]!.replace(/,([^,]*)$/, ',bad\u0000value')}\n`,
    codes: [3],
  },
  {
    name: 'invalid UTF-8',
    file: 'latin1.csv',
    content: (g) =>
      Buffer.concat([
        Buffer.from(`${g.header}\n${g.rows[0]}\n${g.rows[1]!.replace(/,([^,]*)$/, ',')}`),
        Buffer.from([0x43, 0x61, 0x66, 0xe9, 0xc3, 0x28]),
        Buffer.from('\n'),
      ]),
    codes: [3],
  },
  { name: 'a 10 MB field', file: 'huge.csv', content: (g) => `${g.header}\n${g.rows[0]}\n${g.rows[1]!.replace(/,([^,]*)$/, `,${BIG}`)}\n`, codes: [3] },
  { name: 'an empty file', file: 'empty.csv', content: () => '', codes: [0, 3] },
  { name: 'a header only', file: 'header.csv', content: (g) => `${g.header}\n`, codes: [0, 3] },
  { name: 'a binary file', file: 'binary.csv', content: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)), codes: [3] },
  { name: 'NDJSON valid (baseline)', file: 'ok.ndjson', content: (g) => `${g.ndjson.join('\n')}\n`, codes: [0] },
  { name: 'NDJSON with a broken line', file: 'broken.ndjson', content: (g) => `${g.ndjson[0]}\n{"username": "oops",\n`, codes: [3] },
  { name: 'NDJSON with an array line', file: 'array.ndjson', content: (g) => `${g.ndjson[0]}\n[1,2,3]\n`, codes: [3] },
  { name: 'NDJSON with a bare number', file: 'number.ndjson', content: (g) => `${g.ndjson[0]}\n42\n`, codes: [3] },
  { name: 'NDJSON truncated last line', file: 'truncated.ndjson', content: (g) => `${g.ndjson[0]}\n${g.ndjson[1]!.slice(0, -5)}`, codes: [3] },
  {
    name: 'NDJSON with an escaped NUL',
    file: 'nul.ndjson',
    content: (g) => `${g.ndjson[0]}\n${g.ndjson[1]!.replace(/}$/, ',"note":"a\\u0000b"}').replace(/"(reason|name)":"[^"]*"/, '"$1":"a\\u0000b"')}\n`,
    codes: [3],
  },
  {
    name: 'NDJSON with a 10 MB line',
    file: 'huge.ndjson',
    content: (g) => `${g.ndjson[0]}\n${g.ndjson[1]!.replace(/"(reason|name)":"[^"]*"/, `"$1":"${BIG}"`)}\n`,
    codes: [3],
  },
];

describeBackends('malformed import files', (db) => {
  let staff: MadeUser;
  let dir: string;
  let serial = 0;
  const tally: Record<string, Record<string, number>> = {};
  const start = DateTime.utc().startOf('day').plus({ days: 400 });

  /** Two good rows for each import command, unique per call; "emoji" text must survive byte for byte. */
  const goodFor = async (command: string): Promise<Good & { check: () => Promise<number> }> => {
    const n = ++serial;
    if (command === 'appointments import') {
      const doctor = await makeDoctor(db().knex);
      const patient = await makePatient(db().knex, { doctors: [doctor] });
      let day = start.plus({ days: n * 3 });
      while (day.weekday > 5) day = day.plus({ days: 1 });
      const rows = [
        { patient: patient.username, doctor: doctor.username, date: day.toISODate()!, time: '09:00', reason: `checkup 🩺 ${n}` },
        { patient: patient.username, doctor: doctor.username, date: day.toISODate()!, time: '10:00', reason: `follow-up é ${n}` },
      ];
      return {
        header: 'patient,doctor,date,time,reason',
        rows: rows.map((r) => `${r.patient},${r.doctor},${r.date},${r.time},${r.reason}`),
        ndjson: rows.map((r) => JSON.stringify(r)),
        check: async () =>
          (
            await db()
              .knex('appointments')
              .where({ patient_id: patient.id })
              .whereIn(
                'reason',
                rows.map((r) => r.reason),
              )
          ).length,
      };
    }
    const prefix = command.startsWith('doctors') ? 'imp.d' : 'imp.p';
    const rows = [
      { username: `${prefix}${n}a`, name: `Ana 🩺 ${n}` },
      { username: `${prefix}${n}b`, name: `Zoë ${n}` },
    ];
    return {
      header: 'username,name',
      rows: rows.map((r) => `${r.username},${r.name}`),
      ndjson: rows.map((r) => JSON.stringify(r)),
      check: async () =>
        (
          await db()
            .knex('users')
            .whereIn(
              'username',
              rows.map((r) => r.username),
            )
            .whereIn(
              'full_name',
              rows.map((r) => r.name),
            )
        ).length,
    };
  };

  beforeAll(async () => {
    await storeInitialTimeZone(db().knex, 'UTC');
    staff = await makeStaff(db().knex);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-malformed-'));
  });
  afterAll(async () => {
    console.info(`[malformed imports ${db().backend}] ${JSON.stringify(tally)}`);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  for (const command of importCommands) {
    it(`${command} --skip-invalid: a 10 MB field loses none of the rows after it`, async () => {
      const good = await goodFor(command);
      const bad = command === 'appointments import' ? good.rows[1]!.replace(/,([^,]*)$/, `,${BIG}`).replace('10:00', '11:00') : `imp.big${serial},${BIG}`;
      const file = path.join(dir, `${serial}-skip-huge.csv`);
      await fs.writeFile(file, `${good.header}\n${good.rows[0]}\n${bad}\n${good.rows[1]}\n`);
      const result = await runCli([...command.split(' '), file, '--skip-invalid', '--json'], { database: db().database, actor: staff });
      const context = `exit ${result.code}\n${result.stderr.slice(0, 600)}`;
      expect([0, 3], context).toContain(result.code);
      expect(result.stderr, context).not.toMatch(STACK_FRAME);
      if (result.code === 0) {
        expect(result.json(), context).toMatchObject({ imported: 2, rejected: 1 });
        expect(await good.check(), context).toBe(2);
      } else {
        expect(await good.check(), context).toBe(0);
      }
    });

    it(`${command}: ${CASES.length} malformed and edge-case files → exit 3 with nothing written, or imported exactly`, async () => {
      const counts = (tally[command] = { imported: 0, refused: 0 });
      for (const testCase of CASES) {
        const good = await goodFor(command);
        const file = path.join(dir, `${serial}-${testCase.file}`);
        await fs.writeFile(file, testCase.content(good));
        const tables = async () =>
          Number((await db().knex('appointments').count<{ n: string }[]>({ n: '*' }))[0]!.n) +
          Number((await db().knex('users').count<{ n: string }[]>({ n: '*' }))[0]!.n);
        const before = await tables();
        const result = await runCli([...command.split(' '), file, '--json'], { database: db().database, actor: staff });
        const context = `${command} / ${testCase.name}: exit ${result.code}\n${result.stderr.slice(0, 600)}`;
        expect(testCase.codes, context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(STACK_FRAME);
        if (result.code === 0) {
          counts.imported++;
          const summary = result.json<{ imported: number }>();
          const expectedRows = testCase.content(good).length === 0 || /header/.test(testCase.name) ? 0 : 2;
          expect(summary.imported, context).toBe(expectedRows);
          expect(await good.check(), context).toBe(expectedRows);
        } else {
          counts.refused++;
          expect(result.stdout, context).toBe('');
          expect(JSON.parse(result.stderr.trim().split('\n').at(-1)!).error.code, context).toBe('INVALID_INPUT');
          expect(await tables(), `${context}\nsomething was written`).toBe(before);
        }
      }
    });
  }
});

// The corpus runs once per import command found in the program: a command that went missing (or
// was renamed) would silently leave it untested.
describe('import commands', () => {
  it('the corpus covers every import command of DESIGN §7: appointments, doctors and patients', () => {
    expect(importCommands).toEqual(expect.arrayContaining(['appointments import', 'doctors import', 'patients import']));
  });
});
