import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, makePatient, type Clinic } from '../support/factories.js';
import { appointmentsCli } from './helpers.js';

const HOUR = 3_600_000;

interface Due {
  id: string;
  status: string;
  patientName: string;
  patientPhone: string | null;
  remindedAt: string | null;
}

describeBackends('appointments due (the reminders feed)', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;
  // Each test has its own day, so that what one test marks does not change another's window.
  let day = 0;
  const clock = () => new Date(Date.parse('2027-03-01T06:00:00Z') + day++ * 7 * 24 * HOUR);

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  it('lists APPROVED, unreminded appointments starting within the window, with how to reach the patient', async () => {
    const now = clock();
    const reached = await makePatient(db().knex, { fullName: 'Rita Reminded', phone: '+351912345678', doctors: [c.doctor] });
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR);
    const inWindow = await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(2), status: 'APPROVED' });
    const late = await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(23.5), status: 'APPROVED' });
    await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(3), status: 'PENDING' });
    await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(4), status: 'CANCELLED' });
    await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(25), status: 'APPROVED' });
    await makeAppointment(db().knex, { patient: reached, doctor: c.doctor, startsAt: at(-1), status: 'APPROVED' });

    const result = await cli(c.staff, ['due', '--within', '24h', '--json'], now);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const due = result.json<Due[]>();
    expect(due.map((a) => a.id)).toEqual([inWindow.id, late.id]);
    expect(due[0]).toMatchObject({ status: 'APPROVED', patientName: 'Rita Reminded', patientPhone: '+351912345678', remindedAt: null });
    // Listing marks nothing: the same call again gives the same rows.
    expect((await cli(c.staff, ['due', '--within', '24h', '--json'], now)).json<Due[]>()).toHaveLength(2);
    expect((await cli(c.staff, ['due', '--within', '3h', '--json'], now)).json<Due[]>().map((a) => a.id)).toEqual([inWindow.id]);
  });

  it('--mark-reminded returns each appointment once, records when, and audits each one', async () => {
    const now = clock();
    const first = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: new Date(now.getTime() + HOUR), status: 'APPROVED' });
    const second = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: new Date(now.getTime() + 5 * HOUR), status: 'APPROVED' });
    const marked = await cli(c.admin, ['due', '--within', '24h', '--mark-reminded', '--json'], now);
    expect(marked.code, marked.stderr).toBe(0);
    expect(marked.json<Due[]>().map((a) => [a.id, a.remindedAt])).toEqual([
      [first.id, now.toISOString()],
      [second.id, now.toISOString()],
    ]);
    const again = await cli(c.admin, ['due', '--within', '24h', '--mark-reminded', '--json'], new Date(now.getTime() + 5 * 60_000));
    expect(again.json<Due[]>()).toEqual([]);
    const rows = await db().knex('appointments').whereIn('id', [first.id, second.id]).select('reminded_at');
    expect(rows.map((row) => (row.reminded_at as Date).toISOString())).toEqual([now.toISOString(), now.toISOString()]);
    const audit = await db().knex('audit_log').where({ action: 'appointments.remind' }).whereIn('entity_id', [first.id, second.id]);
    expect(audit).toHaveLength(2);
    expect(audit.every((row) => row.patient_id === c.patient.id && row.outcome === 'success')).toBe(true);
  });

  it('a rescheduled appointment is a new row and is reminded again', async () => {
    const now = clock();
    const old = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: new Date(now.getTime() + 2 * HOUR), status: 'APPROVED' });
    expect((await cli(c.staff, ['due', '--mark-reminded', '--json'], now)).json<Due[]>().map((a) => a.id)).toEqual([old.id]);
    await db().knex('appointments').where({ id: old.id }).update({ status: 'CANCELLED', cancel_reason: 'rescheduled' });
    const moved = await db()
      .knex('appointments')
      .insert({
        patient_id: c.patient.id,
        doctor_id: c.doctor.id,
        starts_at: new Date(now.getTime() + 4 * HOUR),
        ends_at: new Date(now.getTime() + 4.5 * HOUR),
        status: 'APPROVED',
        rescheduled_from_id: old.id,
      })
      .returning(['id']);
    expect((await cli(c.staff, ['due', '--mark-reminded', '--json'], now)).json<Due[]>().map((a) => a.id)).toEqual([moved[0].id]);
  });

  it('is for staff and admins: a doctor and a patient get exit 5, and nothing is marked', async () => {
    const now = clock();
    const mine = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: new Date(now.getTime() + HOUR), status: 'APPROVED' });
    for (const actor of [c.doctor, c.patient]) {
      const result = await cli(actor, ['due', '--mark-reminded', '--json'], now);
      expect(result.code, result.stderr).toBe(5);
      expect(result.stdout).toBe('');
      expect(JSON.parse(result.stderr).error.code).toBe('FORBIDDEN');
    }
    expect((await db().knex('appointments').where({ id: mine.id }).first()).reminded_at).toBeNull();
  });

  it('refuses a window that is not a duration (exit 2) or out of range (exit 3)', async () => {
    const now = clock();
    const bad = await cli(c.staff, ['due', '--within', 'tomorrow'], now);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--within');
    for (const within of ['0m', '32d']) {
      const out = await cli(c.staff, ['due', '--within', within, '--json'], now);
      expect(out.code, out.stderr).toBe(3);
      expect(JSON.parse(out.stderr).error.message).toContain('--within');
    }
  });

  it('shows a table for people and says how many it marked', async () => {
    const now = clock();
    const patient = await makePatient(db().knex, { fullName: 'Tiago Table', phone: '+351911111111', doctors: [c.doctor] });
    await makeAppointment(db().knex, { patient, doctor: c.doctor, startsAt: new Date(now.getTime() + HOUR), status: 'APPROVED' });
    const result = await cli(c.staff, ['due', '--mark-reminded'], now);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PATIENT.*PHONE.*EMAIL.*DOCTOR/);
    expect(result.stdout).toContain('Tiago Table');
    expect(result.stderr).toContain('Marked 1 appointment as reminded.');
    const none = await cli(c.staff, ['due', '--mark-reminded'], now);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No appointments to remind.');
  });
});
