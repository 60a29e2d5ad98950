import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { describeBackends } from '../support/database.js';
import { appointmentSeeder, makeClinic, makePatient, type Clinic } from '../support/factories.js';
import { MONDAY, appointmentsCli, slotAllocator } from './helpers.js';

type Who = 'admin' | 'staff' | 'own doctor' | 'other doctor' | 'own patient' | 'other patient';
const WHO: Who[] = ['admin', 'staff', 'own doctor', 'other doctor', 'own patient', 'other patient'];

/**
 * DESIGN §6 for an appointment of (doctor, patient): the exit code of each verb for each kind of
 * actor. Appointments the actor may not see are "not found" (6); visible ones they may not change are 5.
 */
const EXPECTED: Record<string, { from: string; args: string[]; codes: Record<Who, number> }> = {
  show: { from: 'PENDING', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 0, 'other patient': 6 } },
  approve: { from: 'PENDING', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 5, 'other patient': 6 } },
  reject: {
    from: 'PENDING',
    args: ['--reason', 'full'],
    codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 5, 'other patient': 6 },
  },
  cancel: {
    from: 'APPROVED',
    args: ['--reason', 'ill'],
    codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 0, 'other patient': 6 },
  },
  reschedule: { from: 'APPROVED', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 0, 'other patient': 6 } },
  checkin: { from: 'APPROVED', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 5, 'other patient': 6 } },
  complete: { from: 'CHECKED_IN', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 5, 'other patient': 6 } },
  noshow: { from: 'APPROVED', args: [], codes: { admin: 0, staff: 0, 'own doctor': 0, 'other doctor': 6, 'own patient': 5, 'other patient': 6 } },
};

describeBackends('appointments roles', (db) => {
  const cli = appointmentsCli(db);
  const seed = appointmentSeeder(() => db().knex);
  const target = slotAllocator();
  let c: Clinic;
  const actor = (who: Who): Actor =>
    ({ admin: c.admin, staff: c.staff, 'own doctor': c.doctor, 'other doctor': c.otherDoctor, 'own patient': c.patient, 'other patient': c.otherPatient })[who];

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  for (const [verb, { from, args, codes }] of Object.entries(EXPECTED)) {
    for (const who of WHO) {
      it(`${verb} by ${who} → exit ${codes[who]}`, async () => {
        const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: from });
        const extra = verb === 'reschedule' ? ['--date', ...Object.values(target()).flatMap((v, i) => (i === 0 ? [v] : ['--time', v]))] : args;
        // checkin, complete and noshow are for the appointment's time (its start will do for all three)
        const at = ['checkin', 'complete', 'noshow'].includes(verb) ? appointment.startsAt : undefined;
        const result = await cli(actor(who), [verb, appointment.id, ...extra], at);
        expect(result.code, result.stderr).toBe(codes[who]);
        const row = await db().knex('appointments').where({ id: appointment.id }).first();
        if (codes[who] === 0) {
          if (verb !== 'show') expect(row.status).not.toBe(from);
        } else {
          expect(row.status).toBe(from);
          expect(result.stdout).toBe('');
          if (codes[who] === 6) expect(result.stderr).not.toContain(c.patient.username);
          const denied = await db()
            .knex('audit_log')
            .where({ entity_id: appointment.id, outcome: 'denied', actor_id: actor(who).id });
          expect(denied).toHaveLength(1);
        }
      });
    }
  }

  it('lets a patient cancel or reschedule their own appointment only before it starts (exit 5 after)', async () => {
    const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
    const afterStart = new Date(appointment.startsAt.getTime() + 60_000);
    const cancel = await cli(c.patient, ['cancel', appointment.id, '--reason', 'late'], afterStart);
    expect(cancel.code).toBe(5);
    expect(cancel.stderr).toMatch(/only before it starts/);
    const { date, time } = target();
    expect((await cli(c.patient, ['reschedule', appointment.id, '--date', date, '--time', time], afterStart)).code).toBe(5);
    expect((await cli(c.staff, ['cancel', appointment.id, '--reason', 'late'], afterStart)).code).toBe(0);
  });

  describe('book', () => {
    let loner: Actor; // on nobody's panel
    beforeAll(async () => {
      loner = await makePatient(db().knex);
    });
    const cases: Array<[string, () => [Actor, Actor, Actor, string[]], number, string | null]> = [
      ['admin, anyone', () => [c.admin, c.otherPatient, c.doctor, []], 0, 'PENDING'],
      ['staff with --approve', () => [c.staff, c.patient, c.otherDoctor, ['--approve']], 0, 'APPROVED'],
      ['a doctor, their own patient with themself', () => [c.doctor, c.patient, c.doctor, []], 0, 'APPROVED'],
      // a patient they may not see is "not found", as an unknown one (existence is not revealed)
      ['a doctor, a patient not on their panel', () => [c.doctor, loner, c.doctor, []], 6, null],
      ['a doctor, with another doctor', () => [c.doctor, c.patient, c.otherDoctor, []], 5, null],
      ['a doctor with --approve', () => [c.doctor, c.patient, c.doctor, ['--approve']], 5, null],
      ['a patient, themself', () => [c.patient, c.patient, c.otherDoctor, []], 0, 'PENDING'],
      ['a patient, someone else', () => [c.patient, c.otherPatient, c.doctor, []], 6, null],
      ['a patient with --approve', () => [c.patient, c.patient, c.doctor, ['--approve']], 5, null],
    ];
    for (const [label, parties, code, status] of cases) {
      it(`${label} → exit ${code}${status ? ` (${status})` : ''}`, async () => {
        const [who, patient, doctor, extra] = parties();
        const { date, time } = target();
        const result = await cli(who, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--date', date, '--time', time, ...extra]);
        expect(result.code, result.stderr).toBe(code);
        if (status) expect(result.json<{ status: string }>().status).toBe(status);
        else expect(await db().knex('audit_log').where({ actor_id: who.id, outcome: 'denied', patient_id: patient.id })).not.toHaveLength(0);
      });
    }
  });

  it('lists only what the actor may see: all for staff, own for doctors and patients', async () => {
    const stranger = await makePatient(db().knex, { doctors: [c.otherDoctor] });
    await seed({ patient: stranger, doctor: c.otherDoctor, status: 'PENDING', startsAt: new Date(`${MONDAY}T16:00:00Z`) });
    const listed = async (who: Actor, args: string[] = []) =>
      (await cli(who, ['list', '--json', '--from', '2027-01-01', ...args])).json<Array<{ patientId: string; doctorId: string }>>();
    const all = await listed(c.staff);
    expect(all.some((a) => a.patientId === stranger.id)).toBe(true);
    expect(all.some((a) => a.doctorId === c.doctor.id)).toBe(true);
    const mine = await listed(c.doctor);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((a) => a.doctorId === c.doctor.id)).toBe(true);
    expect(await listed(c.doctor, ['--doctor', c.otherDoctor.username])).toEqual([]);
    const own = await listed(c.patient);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((a) => a.patientId === c.patient.id)).toBe(true);
    expect(await listed(c.patient, ['--patient', stranger.username])).toEqual([]);
  });
});
