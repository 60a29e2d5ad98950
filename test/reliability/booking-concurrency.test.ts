import { DateTime } from 'luxon';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverPaths } from '../../src/db/server/paths.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { backends, createTestDatabase, type Backend, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { fixture, spawnNode, type SpawnResult } from '../support/spawn.js';

// Needs the built CLI: run `npx tsc -p .` first (npm test does).
const RUN_AS = fixture('run-as.mjs');
const PROCESSES = 20;

function runAs(actor: MadeUser, args: string[], env: NodeJS.ProcessEnv): Promise<SpawnResult> {
  return spawnNode(RUN_AS, args, {
    env: { CLINIC_TEST_ACTOR: JSON.stringify({ id: actor.id, username: actor.username, role: actor.role }), ...env },
    timeoutMs: 300_000,
  });
}

/** A Monday at least a week ahead of the real clock (the spawned processes use it). */
function futureMonday(): string {
  const today = DateTime.utc().startOf('day');
  return today.plus({ days: 7 + ((8 - today.weekday) % 7) }).toISODate()!;
}

for (const backend of backends as Backend[]) {
  describe(`${PROCESSES} processes booking one slot at once [${backend}]`, () => {
    let db: TestDatabase;
    let staff: MadeUser;
    let doctor: MadeUser;
    const patients: MadeUser[] = [];
    const date = futureMonday();

    beforeAll(async () => {
      db = await createTestDatabase(backend);
      await upsertSetting(db.knex, 'timezone', 'UTC', null);
      staff = await makeStaff(db.knex);
      doctor = await makeDoctor(db.knex);
      // Most come for themselves; a few share one patient so both constraints are raced.
      for (let i = 0; i < PROCESSES - 4; i++) patients.push(await makePatient(db.knex));
      for (let i = 0; i < 4; i++) patients.push(patients[0]!);
      if (backend === 'embedded') await db.close(); // stops its server: the processes race to start one
    });

    afterAll(async () => {
      await db.drop();
    });

    it('ends with exactly one booking: one exit 0, the others exit 7', async () => {
      const where = db.target.backend === 'embedded' ? ['--data-dir', db.target.dataDir, '--lock-timeout', '300'] : ['--database-url', db.target.url];
      const serverLog = db.target.backend === 'embedded' ? serverPaths(db.target.dataDir, process.env).log : undefined;
      const logBefore = serverLog ? (await fs.readFile(serverLog, 'utf8').catch(() => '')).length : 0;
      const started = Date.now();
      const startAt = started + 1_500;
      const outcomes = await Promise.all(
        patients.map((patient) =>
          runAs(
            staff,
            ['appointments', 'book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--date', date, '--time', '10:00', ...where],
            {
              CLINIC_TEST_START_AT: String(startAt),
            },
          ),
        ),
      );
      const elapsed = Date.now() - started;
      console.log(`[${backend}] ${PROCESSES} concurrent bookings finished in ${elapsed} ms`);

      const winners = outcomes.filter((outcome) => outcome.code === 0);
      const losers = outcomes.filter((outcome) => outcome.code !== 0);
      expect(winners, JSON.stringify(outcomes.filter((o) => o.code !== 0 && o.code !== 7))).toHaveLength(1);
      expect(losers.map((outcome) => outcome.code)).toEqual(Array(PROCESSES - 1).fill(7));
      const winner = JSON.parse(winners[0]!.stdout) as { id: string; timeSlot: string };
      expect(winner.timeSlot).toBe('10:00-10:30');
      for (const loser of losers) {
        expect(loser.stdout).toBe('');
        // The error is the last line; embedded runs first say they are waiting for the lock.
        const lastLine = loser.stderr.trim().split('\n').at(-1)!;
        expect(JSON.parse(lastLine).error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(winner.id.slice(0, 8)) });
      }

      if (serverLog) {
        // Twenty commands arriving together started one server: those that came while it started waited for it.
        const served = (await fs.readFile(serverLog, 'utf8')).slice(logBefore).match(/\] serving /g) ?? [];
        expect(served).toHaveLength(1);
      }

      const check = backend === 'embedded' ? await db.reopen() : db;
      try {
        const active = await check.knex('appointments').where({ doctor_id: doctor.id }).whereIn('status', ['PENDING', 'APPROVED', 'CHECKED_IN']);
        expect(active.map((row) => row.id)).toEqual([winner.id]);
        expect(await check.knex('appointments').count({ n: '*' }).first()).toEqual({ n: 1 });
      } finally {
        if (backend === 'embedded') await check.close();
      }
    }, 300_000);
  });
}
