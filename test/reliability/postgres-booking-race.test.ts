import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { spawnClinic, type SpawnResult } from '../support/spawn.js';
import { msSince, seededRandom, STACK_FRAME } from './helpers.js';

/**
 * PostgreSQL with many clients: 20 separate `clinic` processes (the built binary, each with its
 * own CLINIC_TOKEN) book random slots of 3 doctors for 30 patients at once, on a deliberately small
 * grid so that they clash. Afterwards no doctor and no patient has overlapping active appointments
 * (checked in SQL over tstzrange), and every exit code agrees with the database: exit 0 ⇔ the
 * process's appointment exists; exit 7 ⇔ it does not, and an active appointment really overlaps it.
 */
const PROCESSES = 20;
const ROUNDS = [20261125, 4242];
const TIMES = ['09:00', '09:30', '10:00', '10:30'];

function futureMonday(weeksAhead: number): string {
  const today = DateTime.utc().startOf('day');
  return today.plus({ days: 7 * weeksAhead + ((8 - today.weekday) % 7) }).toISODate()!;
}

interface Attempt {
  index: number;
  doctor: MadeUser;
  patient: MadeUser;
  time: string;
  duration: number;
  reason: string;
  asPatient: boolean;
}

describe.skipIf(!testDatabaseUrl())('PostgreSQL: 20 processes booking random slots at once', () => {
  let db: TestDatabase;
  let staffToken: string;
  const doctors: MadeUser[] = [];
  const patients: Array<{ user: MadeUser; token: string }> = [];
  const figures: Array<Record<string, number | string>> = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await storeInitialTimeZone(db.knex, 'UTC');
    const staff = await makeStaff(db.knex);
    staffToken = (await createApiToken(db.context(staff), { name: 'race' })).token;
    for (let i = 0; i < 3; i++) doctors.push(await makeDoctor(db.knex, { username: `race.dr${i}` }));
    for (let i = 0; i < 30; i++) {
      const user = await makePatient(db.knex, { username: `race.pat${i}` });
      patients.push({ user, token: (await createApiToken(db.context(user), { name: 'race' })).token });
    }
  });
  afterAll(async () => {
    console.info(`[postgres booking race] ${JSON.stringify(figures)}`);
    await db?.drop();
  });

  for (const [round, seed] of ROUNDS.entries()) {
    it(`round ${round + 1} (seed ${seed}): no overlaps, and every exit code matches the database`, async () => {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const date = futureMonday(2 + round);
      const attempts: Attempt[] = Array.from({ length: PROCESSES }, (_, index) => {
        const patient = pick(patients.slice(0, 12)); // few enough patients that they clash too
        return {
          index,
          doctor: pick(doctors),
          patient: patient.user,
          time: pick(TIMES),
          duration: pick([30, 30, 60]),
          reason: `race ${seed} #${index}`,
          asPatient: random() < 0.5,
        };
      });
      const started = process.hrtime.bigint();
      const results: SpawnResult[] = await Promise.all(
        attempts.map((a) =>
          spawnClinic(
            [
              'appointments',
              'book',
              '--patient',
              a.patient.username,
              '--doctor',
              a.doctor.username,
              '--date',
              date,
              '--time',
              a.time,
              '--duration',
              String(a.duration),
              '--reason',
              a.reason,
              '--json',
            ],
            {
              env: {
                CLINIC_DATABASE_URL: db.target.backend === 'postgres' ? db.target.url : '',
                CLINIC_TOKEN: a.asPatient ? patients.find((p) => p.user.id === a.patient.id)!.token : staffToken,
              },
              timeoutMs: 120_000,
            },
          ),
        ),
      );
      const elapsed = Math.round(msSince(started));

      const overlaps = await db.knex.raw<{ rows: Array<{ n: number }> }>(`
        SELECT count(*)::int AS n FROM appointments a JOIN appointments b
          ON a.id < b.id AND (a.doctor_id = b.doctor_id OR a.patient_id = b.patient_id)
         AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
        WHERE a.status IN ('PENDING', 'APPROVED', 'CHECKED_IN') AND b.status IN ('PENDING', 'APPROVED', 'CHECKED_IN')`);
      expect(overlaps.rows[0]!.n).toBe(0);

      let booked = 0;
      let clashed = 0;
      for (const [i, result] of results.entries()) {
        const a = attempts[i]!;
        const context = `#${i} ${a.doctor.username} ${a.patient.username} ${a.time}+${a.duration}: exit ${result.code}\n${result.stderr}`;
        expect(result.signal, context).toBeNull();
        expect([0, 7], context).toContain(result.code);
        expect(result.stderr, context).not.toMatch(STACK_FRAME);
        const startsAt = new Date(`${date}T${a.time}:00Z`);
        const endsAt = new Date(startsAt.getTime() + a.duration * 60_000);
        const mine = await db.knex('appointments').where({ reason: a.reason });
        if (result.code === 0) {
          booked++;
          expect(mine, context).toHaveLength(1);
          expect(mine[0]).toMatchObject({ doctor_id: a.doctor.id, patient_id: a.patient.id, status: 'PENDING' });
          expect(new Date(mine[0].starts_at).getTime()).toBe(startsAt.getTime());
          expect((JSON.parse(result.stdout) as { id: string }).id).toBe(mine[0].id);
        } else {
          clashed++;
          expect(mine, context).toHaveLength(0);
          const blocking = await db
            .knex('appointments')
            .whereIn('status', ['PENDING', 'APPROVED', 'CHECKED_IN'])
            .where((q) => q.where({ doctor_id: a.doctor.id }).orWhere({ patient_id: a.patient.id }))
            .whereRaw('tstzrange(starts_at, ends_at) && tstzrange(?::timestamptz, ?::timestamptz)', [startsAt.toISOString(), endsAt.toISOString()]);
          expect(blocking.length, `exit 7 without a real clash: ${context}`).toBeGreaterThan(0);
          expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'CONFLICT' } });
        }
      }
      expect(booked).toBeGreaterThan(0);
      figures.push({ seed, processes: PROCESSES, booked, clashed, elapsedMs: elapsed });
    });
  }
});
