import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAppointment } from '../../src/db/repositories/appointments.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { backends, createTestDatabase, type Backend, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { fixture, spawnNode, type SpawnResult } from '../support/spawn.js';

// Needs the built CLI (npm run build).
const RUN_AS = fixture('run-as.mjs');
const FREED = 5;
const WAITING = 3;

function runAs(actor: MadeUser, args: string[], startAt: number): Promise<SpawnResult> {
  return spawnNode(RUN_AS, args, {
    env: { CLINIC_TEST_ACTOR: JSON.stringify({ id: actor.id, username: actor.username, role: actor.role }), CLINIC_TEST_START_AT: String(startAt) },
    timeoutMs: 300_000,
  });
}

/** 10:00 UTC on a Monday at least a week ahead of the real clock (the spawned processes use it). */
function futureMonday(): DateTime {
  const today = DateTime.utc().startOf('day');
  return today.plus({ days: 7 + ((8 - today.weekday) % 7), hours: 10 });
}

for (const backend of backends as Backend[]) {
  describe(`cancellations racing for the waitlist [${backend}]`, () => {
    let db: TestDatabase;
    let staff: MadeUser;
    let doctor: MadeUser;
    const freed: string[] = [];
    let sameSlot: string;
    const waiting: MadeUser[] = [];

    beforeAll(async () => {
      db = await createTestDatabase(backend);
      await upsertSetting(db.knex, 'timezone', 'UTC', null);
      staff = await makeStaff(db.knex);
      doctor = await makeDoctor(db.knex);
      const monday = futureMonday();
      for (let i = 0; i <= FREED; i++) {
        const holder = await makePatient(db.knex);
        const start = monday.plus({ minutes: 30 * i });
        const row = await insertAppointment(db.knex, {
          patient_id: holder.id,
          doctor_id: doctor.id,
          starts_at: start.toJSDate(),
          ends_at: start.plus({ minutes: 30 }).toJSDate(),
          reason: null,
          status: 'APPROVED',
          created_by: staff.id,
        });
        if (i < FREED) freed.push(row.id);
        else sameSlot = row.id;
      }
      for (let i = 0; i < WAITING; i++) {
        const patient = await makePatient(db.knex);
        waiting.push(patient);
        await db.knex('waitlist').insert({ patient_id: patient.id, doctor_id: doctor.id, created_at: new Date(Date.now() - 60_000 + i) });
      }
      if (backend === 'embedded') await db.close();
    });

    afterAll(async () => {
      await db.drop();
    });

    const where = () => (db.target.backend === 'embedded' ? ['--data-dir', db.target.dataDir, '--lock-timeout', '300'] : ['--database-url', db.target.url]);

    it(`${FREED} slots freed at once go to ${WAITING} waiting patients: each entry once, each slot once; one slot cancelled by several at once is offered once`, async () => {
      const startAt = Date.now() + 1_500;
      const outcomes = await Promise.all(freed.map((id) => runAs(staff, ['appointments', 'cancel', id, '--reason', 'race', '--json', ...where()], startAt)));
      expect(
        outcomes.map((o) => o.code),
        outcomes.map((o) => o.stderr).join('\n'),
      ).toEqual(Array(FREED).fill(0));

      // the last waiting entry is taken now; then several processes cancel one appointment at once
      const check = backend === 'embedded' ? await db.reopen() : db;
      let late: MadeUser;
      try {
        const entries = await check.knex('waitlist').where({ doctor_id: doctor.id });
        expect(entries.every((e) => e.status === 'FULFILLED')).toBe(true);
        const offered = entries.map((e) => e.appointment_id as string);
        expect(new Set(offered).size).toBe(WAITING);
        const rows = await check.knex('appointments').whereIn('id', offered);
        expect(new Set(rows.map((r) => r.starts_at.getTime())).size).toBe(WAITING);
        expect(new Set(rows.map((r) => r.patient_id)).size).toBe(WAITING);
        expect(rows.every((r) => r.status === 'PENDING')).toBe(true);
        const active = await check.knex('appointments').where({ doctor_id: doctor.id }).whereIn('status', ['PENDING', 'APPROVED']);
        expect(active).toHaveLength(WAITING + 1);
        late = await makePatient(check.knex);
        await check.knex('waitlist').insert({ patient_id: late.id, doctor_id: doctor.id });
        await check.knex('waitlist').insert({ patient_id: (await makePatient(check.knex)).id, doctor_id: doctor.id });
      } finally {
        if (backend === 'embedded') await check.close();
      }

      const again = Date.now() + 1_500;
      const same = await Promise.all(
        [1, 2, 3, 4].map(() => runAs(staff, ['appointments', 'cancel', sameSlot, '--reason', 'race', '--json', ...where()], again)),
      );
      expect(same.map((o) => o.code).sort()).toEqual([0, 7, 7, 7]);
      const after = backend === 'embedded' ? await db.reopen() : db;
      try {
        const fulfilled = await after.knex('waitlist').where({ doctor_id: doctor.id, status: 'FULFILLED' });
        expect(fulfilled).toHaveLength(WAITING + 1);
        expect(fulfilled.some((e) => e.patient_id === late.id)).toBe(true);
        expect(await after.knex('waitlist').where({ doctor_id: doctor.id, status: 'WAITING' })).toHaveLength(1);
      } finally {
        if (backend === 'embedded') await after.close();
      }
    });
  });
}
