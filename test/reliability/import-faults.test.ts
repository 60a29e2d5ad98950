import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { processIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { backends, createTestDatabase, type Backend, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { spawnClinic, startClinic } from '../support/spawn.js';
import { msSince, seededRandom, STACK_FRAME } from './helpers.js';

/**
 * Faults during `appointments import` (the built binary): SIGKILL at random moments, and on
 * PostgreSQL the connection cut from the server side (pg_terminate_backend). The import is one
 * transaction, so afterwards the file is either wholly in the database or not at all, and running
 * it again completes it (rows are keyed by externalId).
 */
const program = (await buildProgram(new CliContext({ io: processIO(), env: {} }))) as unknown as Command;
const hasImport = (program.commands as Command[]).find((c) => c.name() === 'appointments')?.commands.some((c) => c.name() === 'import') ?? false;

const DOCTORS = 10;
const ROWS_PER_FILE = 320;
const TRIALS: Record<Backend, number> = { postgres: 20, embedded: 2 };

function futureMonday(): DateTime {
  const today = DateTime.utc().startOf('day');
  return today.plus({ days: 14 + ((8 - today.weekday) % 7) });
}

/** Row i of file f: a distinct slot of doctor (i mod 10) with their own patient, on weekdays only. */
function csvFile(fileIndex: number, rows: number, doctors: MadeUser[], patients: MadeUser[], start: DateTime): string {
  const lines = ['patient,doctor,date,time,reason,externalId'];
  const perDay = DOCTORS * 16;
  const firstDay = fileIndex * Math.ceil(rows / perDay);
  for (let i = 0; i < rows; i++) {
    const d = i % DOCTORS;
    const slot = Math.floor((i % perDay) / DOCTORS);
    let weekdays = firstDay + Math.floor(i / perDay);
    let day = start;
    while (weekdays > 0) {
      day = day.plus({ days: 1 });
      if (day.weekday <= 5) weekdays--;
    }
    const minutes = 9 * 60 + slot * 30;
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    lines.push(`${patients[d]!.username},${doctors[d]!.username},${day.toISODate()},${time},"file ${fileIndex}, row ${i}",f${fileIndex}-r${i}`);
  }
  return `${lines.join('\n')}\n`;
}

for (const backend of backends) {
  describe.skipIf(!hasImport)(`appointments import under faults [${backend}]`, () => {
    let db: TestDatabase;
    let dir: string;
    let token: string;
    const doctors: MadeUser[] = [];
    const patients: MadeUser[] = [];
    const start = futureMonday();
    const figures: Record<string, unknown> = {};
    const targetArgs = () => (db.target.backend === 'postgres' ? ['--database-url', db.target.url] : ['--data-dir', db.target.dataDir]);
    const countFile = async (f: number) =>
      Number((await db.knex('appointments').whereLike('external_id', `f${f}-r%`).count<{ n: string }[]>({ n: '*' }))[0]!.n);

    beforeAll(async () => {
      db = await createTestDatabase(backend);
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-import-faults-'));
      await storeInitialTimeZone(db.knex, 'UTC');
      const staff = await makeStaff(db.knex);
      token = (await createApiToken(db.context(staff), { name: 'import' })).token;
      for (let i = 0; i < DOCTORS; i++) {
        const doctor = await makeDoctor(db.knex, { username: `imp.dr${i}` });
        doctors.push(doctor);
        patients.push(await makePatient(db.knex, { username: `imp.pat${i}`, doctors: [doctor] }));
      }
    });
    afterAll(async () => {
      console.info(`[import faults ${backend}] ${JSON.stringify(figures)}`);
      await db?.drop();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    const importFile = async (file: string) => {
      if (backend === 'embedded') await db.close();
      try {
        return await spawnClinic(['appointments', 'import', file, '--json', ...targetArgs()], { env: { CLINIC_TOKEN: token }, timeoutMs: 240_000 });
      } finally {
        if (backend === 'embedded') db = await db.reopen();
      }
    };

    it(`SIGKILL at random moments (${TRIALS[backend]} trials): none or all of the file, and a re-run completes it`, async () => {
      // calibrate: how long a whole import of one file takes here
      const calibration = path.join(dir, 'calibration.csv');
      await fs.writeFile(calibration, csvFile(0, ROWS_PER_FILE, doctors, patients, start));
      let started = process.hrtime.bigint();
      const full = await importFile(calibration);
      const fullMs = msSince(started);
      expect(full.code, full.stderr).toBe(0);
      expect(JSON.parse(full.stdout)).toEqual({ imported: ROWS_PER_FILE, skipped: 0, rejected: 0 });
      figures.rowsPerFile = ROWS_PER_FILE;
      figures.fullImportMs = Math.round(fullMs);

      const random = seededRandom(backend === 'postgres' ? 7 : 11);
      const outcomes = { none: 0, all: 0, finishedBeforeKill: 0 };
      started = process.hrtime.bigint();
      for (let trial = 1; trial <= TRIALS[backend]; trial++) {
        const file = path.join(dir, `trial-${trial}.csv`);
        await fs.writeFile(file, csvFile(trial, ROWS_PER_FILE, doctors, patients, start));
        if (backend === 'embedded') await db.close();
        // from start-up to just after the commit: some kills land before, some during, some after
        const delay = Math.round((0.3 + 1.5 * random()) * fullMs);
        const { child, done } = startClinic(['appointments', 'import', file, '--json', ...targetArgs()], { env: { CLINIC_TOKEN: token }, timeoutMs: 240_000 });
        await new Promise((resolve) => setTimeout(resolve, delay));
        child.kill('SIGKILL');
        const { code } = await done;
        if (backend === 'embedded') db = await db.reopen();
        const stored = await countFile(trial);
        expect([0, ROWS_PER_FILE], `trial ${trial}: killed after ${delay} ms, ${stored} rows stored`).toContain(stored);
        if (code === 0) outcomes.finishedBeforeKill++;
        if (code === 0) expect(stored).toBe(ROWS_PER_FILE);
        outcomes[stored === 0 ? 'none' : 'all']++;
        // the same file again: completes what is missing, adds nothing twice
        const again = await importFile(file);
        expect(again.code, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toEqual({ imported: ROWS_PER_FILE - stored, skipped: stored, rejected: 0 });
        expect(await countFile(trial)).toBe(ROWS_PER_FILE);
      }
      figures.killTrials = TRIALS[backend];
      figures.killOutcomes = outcomes;
      figures.killTrialsMs = Math.round(msSince(started));
    });

    it.skipIf(backend !== 'postgres')('a connection cut by the server mid-import exits 8 with a clear message and writes nothing', async () => {
      if (db.target.backend !== 'postgres') return;
      const databaseName = new URL(db.target.url).pathname.slice(1);
      const file = csvFile(99, 1200, doctors, patients, start);
      const [header, ...rows] = file.trimEnd().split('\n');
      const trials = 3;
      const timings: number[] = [];
      for (let trial = 0; trial < trials; trial++) {
        // stdin stays open: the import is certainly in the middle of its work when its backend is cut
        const spawnedAt = (await db.knex.raw<{ rows: Array<{ now: Date }> }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
        const { child, done } = startClinic(['appointments', 'import', '-', '--format', 'csv', '--database-url', db.target.url], {
          env: { CLINIC_TOKEN: token },
          input: 'open',
          timeoutMs: 180_000,
        });
        child.stdin.write(`${header}\n${rows.slice(0, 600 + trial * 200).join('\n')}\n`);
        // wait until the clinic process has a backend doing (or waiting in) the import
        const deadline = Date.now() + 60_000;
        let pids: number[] = [];
        while (pids.length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          // the spawned process's backends: named 'clinic', started after it was (the test's own pool is older)
          const find = () =>
            db
              .knex('pg_stat_activity')
              .where({ application_name: 'clinic', datname: databaseName })
              .where('backend_start', '>', spawnedAt)
              .pluck<number[]>('pid');
          pids = await find();
          if (pids.length > 0) await new Promise((resolve) => setTimeout(resolve, 300)); // let it get into the transaction
          if (pids.length > 0) pids = await find();
        }
        expect(pids.length, 'the import never connected').toBeGreaterThan(0);
        const cut = process.hrtime.bigint();
        for (const pid of pids) await db.knex.raw('SELECT pg_terminate_backend(?)', [pid]);
        child.stdin.end(`${rows.slice(600 + trial * 200).join('\n')}\n`);
        const { code, stdout, stderr } = await done;
        timings.push(Math.round(msSince(cut)));
        expect(code, stderr).toBe(8);
        expect(stderr).toMatch(/^Error: Cannot reach the database/m);
        expect(stderr).not.toMatch(STACK_FRAME);
        expect(stdout).toBe('');
        expect(await countFile(99)).toBe(0);
      }
      figures.connectionCutTrials = trials;
      figures.connectionCutExitMs = timings;
    });
  });
}

// The fault tests above are skipped where `appointments import` is missing: that must not pass quietly.
describe('import fault tests', () => {
  it('ran: `appointments import` exists, and PostgreSQL is among the backends when CLINIC_TEST_DATABASE_URL is set', () => {
    expect(hasImport).toBe(true);
    expect(backends).toContain('embedded');
    if (testDatabaseUrl() !== undefined) expect(backends).toContain('postgres');
  });
});
