import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { APPOINTMENT_FIELDS, MONDAY, TUESDAY, appointmentsCli, booker, type Appointment } from './helpers.js';
import { makeAppointment, makeClinic, type Clinic } from '../support/factories.js';

describeBackends('appointments list and show', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  let c: Clinic;
  let booked: Appointment[];

  beforeAll(async () => {
    c = await makeClinic(db().knex);
    booked = [
      await book(c.staff, { patient: c.patient, doctor: c.doctor, date: TUESDAY, time: '10:00' }),
      await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: MONDAY, time: '15:00', extra: ['--approve'] }),
      await book(c.staff, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '09:00' }),
    ];
    // One in the past, inserted directly (booking refuses the past).
    await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: '2026-12-28T09:00:00Z', status: 'COMPLETED' });
  });

  it('returns exactly the §5 fields, from today on, in time order', async () => {
    const result = await cli(c.staff, ['list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const list = result.json<Appointment[]>();
    for (const appointment of list) expect(Object.keys(appointment).sort()).toEqual(APPOINTMENT_FIELDS);
    expect(list.map((a) => `${a.date} ${a.timeSlot}`)).toEqual([`${MONDAY} 09:00-09:30`, `${MONDAY} 15:00-15:30`, `${TUESDAY} 10:00-10:30`]);
  });

  it('filters by doctor, patient, date, range, status and limit', async () => {
    const ids = async (args: string[]) => (await cli(c.staff, ['list', '--json', ...args])).json<Appointment[]>().map((a) => a.id);
    expect(await ids(['--doctor', c.otherDoctor.username])).toEqual([booked[1]!.id]);
    expect(await ids(['--patient', c.patient.username])).toEqual([booked[2]!.id, booked[0]!.id]);
    expect(await ids(['--date', TUESDAY])).toEqual([booked[0]!.id]);
    expect(await ids(['--from', '2026-12-01', '--to', MONDAY])).toHaveLength(3);
    expect(await ids(['--status', 'approved'])).toEqual([booked[1]!.id]);
    expect(await ids(['--limit', '1'])).toEqual([booked[2]!.id]);
    expect((await cli(c.staff, ['list', '--status', 'LOST'])).code).toBe(3);
    expect((await cli(c.staff, ['list', '--date', MONDAY, '--from', MONDAY])).code).toBe(3);
    expect((await cli(c.staff, ['list', '--doctor', 'dr-nobody'])).code).toBe(6);
  });

  it('audits a look at a patient’s appointments and at one appointment', async () => {
    await cli(c.doctor, ['list', '--patient', c.patient.username]);
    expect(await db().knex('audit_log').where({ action: 'appointments.list', actor_id: c.doctor.id, patient_id: c.patient.id })).toHaveLength(1);
    await cli(c.staff, ['show', booked[0]!.id]);
    expect(
      await db().knex('audit_log').where({ action: 'appointments.show', actor_id: c.staff.id, entity_id: booked[0]!.id, patient_id: c.patient.id }),
    ).toHaveLength(1);
  });

  it('shows a table to people and one object with --json', async () => {
    const table = await cli(c.staff, ['list']);
    expect(table.stdout).toContain(booked[0]!.id.slice(0, 8));
    expect(table.stdout).toMatch(/10:00-10:30/);
    const show = await cli(c.patient, ['show', booked[0]!.id, '--json']);
    expect(Object.keys(show.json<Appointment>()).sort()).toEqual(APPOINTMENT_FIELDS);
  });

  it('names an appointment by a unique prefix of 8+ characters; shorter or ambiguous is exit 3, unknown exit 6', async () => {
    const insert = (id: string, time: string) =>
      makeAppointment(db().knex, { id, patient: c.otherPatient, doctor: c.otherDoctor, startsAt: `2027-01-20T${time}:00Z`, status: 'PENDING' });
    await insert('abcdef12-0000-4000-8000-000000000001', '09:00');
    await insert('abcdef12-0000-4000-8000-000000000002', '10:00');
    const ambiguous = await cli(c.staff, ['show', 'abcdef12']);
    expect(ambiguous.code).toBe(3);
    expect(ambiguous.stderr).toContain('abcdef12-0000-4000-8000-000000000001');
    expect(ambiguous.stderr).toContain('abcdef12-0000-4000-8000-000000000002');
    const stillAmbiguous = await cli(c.staff, ['show', 'ABCDEF12-0000-4000-8000-0000000000', '--json']);
    expect(stillAmbiguous.code).toBe(3);
    const exact = await cli(c.staff, ['show', 'abcdef12-0000-4000-8000-000000000002', '--json']);
    expect(exact.json<Appointment>().timeSlot).toBe('10:00-10:30');
    expect((await cli(c.staff, ['show', booked[0]!.id.slice(0, 8)])).code).toBe(0);
    expect((await cli(c.staff, ['show', booked[0]!.id.slice(0, 7)])).code).toBe(3);
    expect((await cli(c.staff, ['show', '00000000'])).code).toBe(6);
    // A patient's prefix search only sees their own appointments: the other patient's ids are unknown.
    expect((await cli(c.patient, ['show', 'abcdef12'])).code).toBe(6);
  });
});
