import { beforeAll, describe, expect, it } from 'vitest';
import { insertTimeoff } from '../../src/db/repositories/doctors.js';
import { isOnPanel } from '../../src/db/repositories/patients.js';
import { updateUser } from '../../src/db/repositories/users.js';
import { describeBackends } from '../support/database.js';
import { makeClinic, makeDoctor, makePatient, type Clinic } from '../support/factories.js';
import { APPOINTMENT_FIELDS, MONDAY, TUESDAY, appointmentsCli, booker, type Appointment } from './helpers.js';

describeBackends('appointments book', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  it('books a slot in the clinic time zone and returns exactly the appointment fields', async () => {
    const result = await cli(c.staff, [
      'book',
      '--json',
      '--patient',
      c.patient.username,
      '--doctor',
      c.doctor.username,
      '--date',
      MONDAY,
      '--time',
      '09:00',
      '--reason',
      'check-up',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const appointment = result.json<Appointment>();
    expect(Object.keys(appointment).sort()).toEqual(APPOINTMENT_FIELDS);
    expect(appointment).toMatchObject({
      patient: c.patient.username,
      doctor: c.doctor.username,
      patientId: c.patient.id,
      doctorId: c.doctor.id,
      date: MONDAY,
      timeSlot: '09:00-09:30',
      startTime: '09:00',
      endTime: '09:30',
      timeZone: 'Europe/Lisbon',
      startsAt: '2027-01-04T09:00:00.000Z',
      endsAt: '2027-01-04T09:30:00.000Z',
      reason: 'check-up',
      status: 'PENDING',
      cancelReason: null,
      rescheduledFromId: null,
    });
  });

  it('books APPROVED with --approve (staff), and the audit row names the patient', async () => {
    const appointment = await book(c.admin, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '09:30', extra: ['--approve'] });
    expect(appointment.status).toBe('APPROVED');
    const audit = await db().knex('audit_log').where({ action: 'appointments.book', entity_id: appointment.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: c.admin.id, patient_id: c.patient.id, outcome: 'success' });
  });

  it('converts times through the clinic time zone (New York in winter is UTC-5)', async () => {
    const knex = db().knex;
    await knex('settings').where({ key: 'timezone' }).update({ value: 'America/New_York' });
    try {
      const appointment = await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: TUESDAY, time: '16:30' });
      expect(appointment).toMatchObject({
        date: TUESDAY,
        timeSlot: '16:30-17:00',
        startTime: '16:30',
        endTime: '17:00',
        timeZone: 'America/New_York',
        startsAt: '2027-01-05T21:30:00.000Z',
      });
    } finally {
      await knex('settings').where({ key: 'timezone' }).update({ value: 'Europe/Lisbon' });
    }
  });

  it('takes --duration as a multiple of the slot, and rejects other durations with exit 3', async () => {
    const long = await book(c.staff, { patient: c.patient, doctor: c.doctor, date: TUESDAY, time: '10:00', extra: ['--duration', '60'] });
    expect(long.timeSlot).toBe('10:00-11:00');
    for (const duration of ['45', '0', '-30', 'abc', '510']) {
      const result = await cli(c.staff, [
        'book',
        '--patient',
        c.patient.username,
        '--doctor',
        c.doctor.username,
        '--date',
        TUESDAY,
        '--time',
        '13:00',
        '--duration',
        duration,
      ]);
      // not a number at all is a usage error naming the flag (src/cli/options.ts)
      expect(result.code, `${duration}: ${result.stderr}`).toBe(duration === 'abc' ? 2 : 3);
    }
  });

  it.each([
    ['a Saturday', '2027-01-09', '10:00', 7, /does not work on Saturdays/],
    ['before hours', TUESDAY, '08:30', 7, /outside the doctor's hours on Tuesdays \(09:00-17:00\)/],
    ['running past the end of the day', TUESDAY, '16:30', 7, /runs past the end/, ['--duration', '60']],
    ['off the slot grid', TUESDAY, '09:15', 3, /not on the doctor's 30-minute grid; try 09:00 or 09:30/],
    ['in the past', '2026-12-28', '10:00', 3, /in the past/],
    ['not a date', '2027-02-30', '10:00', 3, /Invalid date "2027-02-30"/],
    ['not a time', TUESDAY, '25:00', 3, /Invalid time "25:00"/],
  ] as const)('refuses a booking %s', async (_label, date, time, code, message, extra: readonly string[] = []) => {
    const before = await db().knex('appointments').count({ n: '*' }).first();
    const result = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', c.doctor.username, '--date', date, '--time', time, ...extra]);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(await db().knex('appointments').count({ n: '*' }).first()).toEqual(before);
  });

  it('refuses the doctor’s time-off (exit 7)', async () => {
    await insertTimeoff(db().knex, {
      doctor_id: c.doctor.id,
      starts_at: new Date('2027-01-06T12:00:00Z'),
      ends_at: new Date('2027-01-06T14:00:00Z'),
      reason: 'conference',
      created_by: null,
    });
    const result = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', c.doctor.username, '--date', '2027-01-06', '--time', '13:30']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/away/);
    expect((await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', c.doctor.username, '--date', '2027-01-06', '--time', '14:00'])).code).toBe(
      0,
    );
  });

  it('refuses a doctor clash (exit 7), naming the appointment and patient for staff and nothing for a patient', async () => {
    const taken = await book(c.staff, { patient: c.patient, doctor: c.doctor, date: '2027-01-07', time: '11:00' });
    const other = await makePatient(db().knex);
    const forStaff = await cli(c.staff, ['book', '--patient', other.username, '--doctor', c.doctor.username, '--date', '2027-01-07', '--time', '11:00']);
    expect(forStaff.code).toBe(7);
    expect(forStaff.stderr).toContain(taken.id.slice(0, 8));
    expect(forStaff.stderr).toContain('2027-01-07 11:00-11:30');
    expect(forStaff.stderr).toContain(c.patient.username);
    const forPatient = await cli(other, [
      'book',
      '--json',
      '--patient',
      other.username,
      '--doctor',
      c.doctor.username,
      '--date',
      '2027-01-07',
      '--time',
      '11:00',
    ]);
    expect(forPatient.code).toBe(7);
    expect(JSON.parse(forPatient.stderr).error).toMatchObject({ code: 'CONFLICT', message: 'That time is no longer available.' });
    expect(forPatient.stderr).not.toContain(c.patient.username);
    expect(forPatient.stderr).not.toContain(taken.id.slice(0, 8));
    // Overlapping, not only identical, times clash; back-to-back is fine.
    const overlapping = await cli(c.staff, [
      'book',
      '--patient',
      other.username,
      '--doctor',
      c.doctor.username,
      '--date',
      '2027-01-07',
      '--time',
      '10:30',
      '--duration',
      '60',
    ]);
    expect(overlapping.code).toBe(7);
    expect((await cli(c.staff, ['book', '--patient', other.username, '--doctor', c.doctor.username, '--date', '2027-01-07', '--time', '11:30'])).code).toBe(0);
  });

  it('refuses a patient clash with another doctor (exit 7)', async () => {
    await book(c.staff, { patient: c.patient, doctor: c.doctor, date: '2027-01-08', time: '09:00' });
    const result = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', c.otherDoctor.username, '--date', '2027-01-08', '--time', '09:00']);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(
      new RegExp(`Patient ${c.patient.username} already has appointment [0-9a-f]{8} at 2027-01-08 09:00-09:30 with ${c.doctor.username}`),
    );
  });

  it('lets the exclusion constraint have the last word (23P01 names the constraint)', async () => {
    const knex = db().knex;
    const [row] = await knex('appointments').where({ doctor_id: c.doctor.id, status: 'PENDING' }).limit(1);
    await expect(
      knex('appointments').insert({ patient_id: c.otherPatient.id, doctor_id: c.doctor.id, starts_at: row.starts_at, ends_at: row.ends_at, status: 'PENDING' }),
    ).rejects.toMatchObject({
      code: '23P01',
      constraint: 'appointments_no_doctor_overlap',
    });
  });

  it('puts the patient on the doctor’s panel in the same transaction', async () => {
    const newcomer = await makePatient(db().knex);
    expect(await isOnPanel(db().knex, c.otherDoctor.id, newcomer.id)).toBe(false);
    await book(c.staff, { patient: newcomer, doctor: c.otherDoctor, date: '2027-01-11', time: '09:00' });
    expect(await isOnPanel(db().knex, c.otherDoctor.id, newcomer.id)).toBe(true);
  });

  it('refuses disabled doctors and patients with exit 7, unknown ones with exit 6', async () => {
    const retired = await makeDoctor(db().knex);
    const gone = await makePatient(db().knex);
    await updateUser(db().knex, retired.id, { status: 'disabled' });
    await updateUser(db().knex, gone.id, { status: 'disabled' });
    const noDoctor = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', retired.username, '--date', '2027-01-12', '--time', '09:00']);
    expect(noDoctor.code).toBe(7);
    expect(noDoctor.stderr).toMatch(/disabled/);
    expect((await cli(c.staff, ['book', '--patient', gone.username, '--doctor', c.doctor.username, '--date', '2027-01-12', '--time', '09:00'])).code).toBe(7);
    expect((await cli(c.staff, ['book', '--patient', 'nobody-here', '--doctor', c.doctor.username, '--date', '2027-01-12', '--time', '09:00'])).code).toBe(6);
    expect((await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', 'dr-nobody', '--date', '2027-01-12', '--time', '09:00'])).code).toBe(6);
  });

  it('needs --date and --time, or --next-available (usage, exit 2)', async () => {
    const result = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', c.doctor.username, '--date', '2027-01-12']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--next-available/);
  });

  describe('--next-available', () => {
    it('takes the first slot free for both the doctor and the patient', async () => {
      const doctor = await makeDoctor(db().knex, { hours: [{ weekday: 1, start: '09:00', end: '10:30' }] });
      const patient = await makePatient(db().knex, { doctors: [doctor] });
      await book(c.staff, { patient, doctor: c.otherDoctor, date: MONDAY, time: '09:30' }); // the patient is busy at 09:30
      const first = await cli(c.staff, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--next-available']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.json<Appointment>()).toMatchObject({ date: MONDAY, timeSlot: '09:00-09:30' });
      const second = await cli(c.staff, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--next-available']);
      expect(second.json<Appointment>()).toMatchObject({ date: MONDAY, timeSlot: '10:00-10:30' });
      const third = await cli(c.staff, [
        'book',
        '--json',
        '--patient',
        patient.username,
        '--doctor',
        doctor.username,
        '--next-available',
        '--after',
        '2027-01-20',
      ]);
      expect(third.json<Appointment>()).toMatchObject({ date: '2027-01-25', timeSlot: '09:00-09:30' });
    });

    it("looks past a full first week: time-off and both parties' appointments count there too", async () => {
      // One slot a week (Mondays 09:00-09:30); the search reads a week first, then the rest of the horizon.
      const doctor = await makeDoctor(db().knex, { hours: [{ weekday: 1, start: '09:00', end: '09:30' }] });
      const patient = await makePatient(db().knex, { doctors: [doctor] });
      const other = await makePatient(db().knex, { doctors: [doctor] });
      await book(c.staff, { patient: other, doctor, date: MONDAY, time: '09:00' }); // the first week's slot
      await insertTimeoff(db().knex, {
        doctor_id: doctor.id,
        starts_at: new Date('2027-01-11T00:00:00Z'),
        ends_at: new Date('2027-01-12T00:00:00Z'),
        reason: 'course',
        created_by: c.admin.id,
      });
      await book(c.staff, { patient, doctor: c.otherDoctor, date: '2027-01-18', time: '09:00' }); // the patient is busy then
      const result = await cli(c.staff, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--next-available']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<Appointment>()).toMatchObject({ date: '2027-01-25', timeSlot: '09:00-09:30' });
    });

    it('does not offer a time that has passed today', async () => {
      const doctor = await makeDoctor(db().knex);
      const patient = await makePatient(db().knex, { doctors: [doctor] });
      const result = await cli(
        c.staff,
        ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--next-available'],
        new Date('2027-01-04T12:10:00Z'),
      );
      expect(result.json<Appointment>()).toMatchObject({ date: MONDAY, timeSlot: '12:30-13:00' });
    });

    it('exits 7 with a clear message when nothing is free within 90 days', async () => {
      const doctor = await makeDoctor(db().knex, { hours: [] });
      const result = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', doctor.username, '--next-available']);
      expect(result.code).toBe(7);
      expect(result.stderr).toMatch(/No free 30-minute slot .* in the 90 days from 2027-01-01/);
    });
  });
});

describeBackends('appointments slots', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  it('lists the free slots of a day: hours, grid, appointments and time-off taken out', async () => {
    const doctor = await makeDoctor(db().knex, {
      hours: [
        { weekday: 1, start: '09:00', end: '11:00' },
        { weekday: 1, start: '14:00', end: '15:00' },
      ],
    });
    await book(c.staff, { patient: c.patient, doctor, date: MONDAY, time: '09:30' });
    await insertTimeoff(db().knex, {
      doctor_id: doctor.id,
      starts_at: new Date('2027-01-04T14:30:00Z'),
      ends_at: new Date('2027-01-04T15:00:00Z'),
      reason: null,
      created_by: null,
    });
    const result = await cli(c.patient, ['slots', '--json', '--doctor', doctor.username, '--date', MONDAY]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toEqual([
      { date: MONDAY, time: '09:00', timeSlot: '09:00-09:30', startsAt: '2027-01-04T09:00:00.000Z', endsAt: '2027-01-04T09:30:00.000Z' },
      { date: MONDAY, time: '10:00', timeSlot: '10:00-10:30', startsAt: '2027-01-04T10:00:00.000Z', endsAt: '2027-01-04T10:30:00.000Z' },
      { date: MONDAY, time: '10:30', timeSlot: '10:30-11:00', startsAt: '2027-01-04T10:30:00.000Z', endsAt: '2027-01-04T11:00:00.000Z' },
      { date: MONDAY, time: '14:00', timeSlot: '14:00-14:30', startsAt: '2027-01-04T14:00:00.000Z', endsAt: '2027-01-04T14:30:00.000Z' },
    ]);
  });

  it('covers --days, skips the past, and shows a table to people', async () => {
    const doctor = await makeDoctor(db().knex, { slotMinutes: 60 });
    const result = await cli(c.staff, ['slots', '--json', '--doctor', doctor.username, '--date', '2027-01-01', '--days', '4']);
    const slots = result.json<Array<{ date: string; time: string }>>();
    // Friday from 12:00 (now) on: 12..16 = 5 slots; the weekend: none; Monday: 8.
    expect(slots.filter((s) => s.date === '2027-01-01').map((s) => s.time)).toEqual(['12:00', '13:00', '14:00', '15:00', '16:00']);
    expect(slots.filter((s) => s.date === '2027-01-02' || s.date === '2027-01-03')).toEqual([]);
    expect(slots.filter((s) => s.date === MONDAY)).toHaveLength(8);
    const human = await cli(c.staff, ['slots', '--doctor', doctor.username, '--date', MONDAY]);
    expect(human.stdout).toMatch(/09:00-10:00/);
    expect((await cli(c.staff, ['slots', '--doctor', doctor.username, '--date', MONDAY, '--days', '0'])).code).toBe(3);
  });
});
