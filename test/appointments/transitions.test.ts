import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { appointmentSeeder, makeClinic, makePatient, type Clinic } from '../support/factories.js';
import { MONDAY, appointmentsCli, booker, slotAllocator, type Appointment } from './helpers.js';

const STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW'] as const;
const VERBS = { approve: 'APPROVED', reject: 'REJECTED', cancel: 'CANCELLED', checkin: 'CHECKED_IN', complete: 'COMPLETED', noshow: 'NO_SHOW' } as const;

/** DESIGN §6, written out independently of the code under test. */
const ALLOWED: Record<string, string[]> = {
  PENDING: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['CHECKED_IN', 'CANCELLED', 'NO_SHOW'],
  CHECKED_IN: ['COMPLETED'],
};

describeBackends('appointment state machine', (db) => {
  const cli = appointmentsCli(db);
  const seed = appointmentSeeder(() => db().knex);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  for (const from of STATUSES) {
    for (const [verb, to] of Object.entries(VERBS)) {
      const allowed = (ALLOWED[from] ?? []).includes(to);
      it(`${from} --${verb}--> ${allowed ? to : 'exit 7'}`, async () => {
        const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: from });
        const at = ['checkin', 'complete', 'noshow'].includes(verb) ? appointment.startsAt : undefined;
        const result = await cli(
          c.staff,
          [verb, appointment.id.slice(0, 8), '--json', '--reason', 'because'].slice(0, verb === 'cancel' || verb === 'reject' ? 5 : 3),
          at,
        );
        const row = await db().knex('appointments').where({ id: appointment.id }).first();
        if (allowed) {
          expect(result.code, result.stderr).toBe(0);
          expect(result.json<Appointment>()).toMatchObject({ id: appointment.id, status: to });
          expect(row.status).toBe(to);
          const audit = await db()
            .knex('audit_log')
            .where({ action: `appointments.${verb}`, entity_id: appointment.id, outcome: 'success' });
          expect(audit).toHaveLength(1);
          expect(audit[0].patient_id).toBe(c.patient.id);
        } else {
          expect(result.code, result.stderr).toBe(7);
          expect(row.status).toBe(from);
          const next = ALLOWED[from];
          // A second approve (check-in, …) says so plainly; any other move names what the state allows.
          const said = from === to ? `is already ${to}.` : next ? `From ${from} it can only become ${next.join(', ')}.` : `${from} is final`;
          expect(JSON.parse(result.stderr).error.message).toContain(said);
        }
      });
    }
  }

  it('stores the reasons of cancel and reject, and requires one to cancel', async () => {
    const pending = await seed({ patient: c.patient, doctor: c.doctor, status: 'PENDING' });
    const noReason = await cli(c.staff, ['cancel', pending.id]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);
    expect((await cli(c.staff, ['cancel', pending.id, '--reason', '  '])).code).toBe(3);
    const cancelled = await cli(c.staff, ['cancel', pending.id, '--json', '--reason', 'patient is travelling']);
    expect(cancelled.json<Appointment>()).toMatchObject({ status: 'CANCELLED', cancelReason: 'patient is travelling' });
    const other = await seed({ patient: c.patient, doctor: c.doctor, status: 'PENDING' });
    const rejected = await cli(c.doctor, ['reject', other.id, '--json', '--reason', 'not my specialty']);
    expect(rejected.json<Appointment>()).toMatchObject({ status: 'REJECTED', cancelReason: 'not my specialty' });
  });
});

describeBackends('appointments reschedule', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  const target = slotAllocator();
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  it('cancels the old one ("rescheduled") and links the new one, keeping patient, doctor, duration, reason and APPROVED', async () => {
    const old = await book(c.staff, {
      patient: c.patient,
      doctor: c.doctor,
      date: MONDAY,
      time: '10:00',
      extra: ['--duration', '60', '--reason', 'x-ray', '--approve'],
    });
    // 10:30 overlaps the old appointment, which is cancelled first in the same transaction.
    const result = await cli(c.staff, ['reschedule', old.id.slice(0, 10), '--json', '--date', MONDAY, '--time', '10:30']);
    expect(result.code, result.stderr).toBe(0);
    const moved = result.json<Appointment>();
    expect(moved).toMatchObject({
      patient: c.patient.username,
      doctor: c.doctor.username,
      timeSlot: '10:30-11:30',
      reason: 'x-ray',
      status: 'APPROVED',
      rescheduledFromId: old.id,
    });
    const previous = await cli(c.staff, ['show', old.id, '--json']);
    expect(previous.json<Appointment>()).toMatchObject({ status: 'CANCELLED', cancelReason: 'rescheduled' });
    expect(await db().knex('audit_log').where({ action: 'appointments.reschedule', entity_id: moved.id, patient_id: c.patient.id })).toHaveLength(1);
  });

  it('puts a patient’s reschedule back to PENDING', async () => {
    const old = await book(c.doctor, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '14:00' });
    expect(old.status).toBe('APPROVED');
    const { date, time } = target();
    const result = await cli(c.patient, ['reschedule', old.id, '--json', '--date', date, '--time', time]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Appointment>()).toMatchObject({ status: 'PENDING', date, rescheduledFromId: old.id });
  });

  it('checks the new slot with the booking rules and changes nothing when it fails', async () => {
    const old = await book(c.staff, { patient: c.patient, doctor: c.doctor, date: TUESDAY_, time: '09:00' });
    const blocker = await makePatient(db().knex);
    await book(c.staff, { patient: blocker, doctor: c.doctor, date: TUESDAY_, time: '11:00' });
    for (const [time, code] of [
      ['11:00', 7],
      ['11:10', 3],
      ['18:00', 7],
    ] as const) {
      const result = await cli(c.staff, ['reschedule', old.id, '--date', TUESDAY_, '--time', time]);
      expect(result.code, `${time}: ${result.stderr}`).toBe(code);
    }
    const gap = await cli(c.staff, ['reschedule', old.id, '--date', '2026-12-30', '--time', '10:00']);
    expect(gap.code).toBe(3);
    const rows = await db()
      .knex('appointments')
      .where({ patient_id: c.patient.id, doctor_id: c.doctor.id })
      .where('starts_at', '>=', new Date(`${TUESDAY_}T00:00:00Z`))
      .where('starts_at', '<', new Date(`${TUESDAY_}T23:00:00Z`));
    expect(rows.map((row) => row.status)).toEqual(['PENDING']);
  });

  it('cannot reschedule what is over (exit 7)', async () => {
    const old = await book(c.staff, { patient: c.patient, doctor: c.doctor, date: '2027-01-06', time: '09:00' });
    await cli(c.staff, ['cancel', old.id, '--reason', 'no longer needed']);
    const result = await cli(c.staff, ['reschedule', old.id, '--date', '2027-01-06', '--time', '10:00']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/CANCELLED is final/);
  });
});

const TUESDAY_ = '2027-01-05';
