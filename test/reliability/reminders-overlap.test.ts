import { beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { spawnClinic } from '../support/spawn.js';

/**
 * The reminder feed as a cron job uses it: several `clinic appointments due --mark-reminded`
 * processes (the built binary) started at the same moment over the same appointments. Every
 * appointment must come out of exactly one of them: none twice, none lost.
 */
const PROCESSES = 4;
const APPOINTMENTS = 40;

describeBackends('appointments due --mark-reminded from overlapping processes', (db) => {
  let token: string;
  let doctors: MadeUser[];
  let patients: MadeUser[];
  let round = 0;

  beforeAll(async () => {
    await storeInitialTimeZone(db().knex, 'UTC');
    token = (await createApiToken(db().context(await makeStaff(db().knex)), { name: 'reminders' })).token;
    doctors = [await makeDoctor(db().knex), await makeDoctor(db().knex)];
    patients = [await makePatient(db().knex), await makePatient(db().knex)];
  });

  const target = () => {
    const where = db().target;
    return where.backend === 'embedded' ? ['--data-dir', where.dataDir, '--lock-timeout', '120'] : ['--database-url', where.url];
  };

  for (const name of ['first round', 'second round']) {
    it(`${name}: ${PROCESSES} runs at once return each of ${APPOINTMENTS} appointments exactly once`, async () => {
      // Real clock: the spawned processes read it. Each round has its own appointments, in the coming hours.
      const base = Date.now() + 60 * 60_000 + round++ * 6 * 60 * 60_000;
      const ids: string[] = [];
      for (let i = 0; i < APPOINTMENTS; i++) {
        const created = await makeAppointment(db().knex, {
          patient: patients[i % 2]!,
          doctor: doctors[i % 2]!,
          startsAt: new Date(base + Math.floor(i / 2) * 10 * 60_000),
          minutes: 10,
          status: 'APPROVED',
        });
        ids.push(created.id);
      }
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          spawnClinic(['appointments', 'due', '--within', '24h', '--mark-reminded', '--json', ...target()], {
            env: { CLINIC_TOKEN: token },
            timeoutMs: 120_000,
          }),
        ),
      );
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe('');
      }
      const returned = results.flatMap((result) => (JSON.parse(result.stdout) as Array<{ id: string }>).map((a) => a.id)).filter((id) => ids.includes(id));
      expect(new Set(returned).size).toBe(returned.length); // none twice
      expect([...returned].sort()).toEqual([...ids].sort()); // none lost
      const marked = await db().knex('appointments').whereIn('id', ids).whereNotNull('reminded_at').count<Array<{ n: string | number }>>({ n: '*' });
      expect(Number(marked[0]!.n)).toBe(APPOINTMENTS);
      const audit = await db().knex('audit_log').where({ action: 'appointments.remind' }).whereIn('entity_id', ids);
      expect(audit).toHaveLength(APPOINTMENTS);
    });
  }
});
