import { beforeAll, expect, it } from 'vitest';
import { insertTimeoff } from '../../src/db/repositories/doctors.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { cancelSeries, planSeriesChange, rescheduleSeries } from '../../src/domain/appointments/series.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { APPOINTMENT_FIELDS, MONDAY, NOW, appointmentsCli, type Appointment } from './helpers.js';

interface Series {
  seriesId: string;
  appointments: Appointment[];
  skipped: Array<{ date: string; startTime: string; code: string; reason: string | null; message: string }>;
}

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

describeBackends('appointments book --repeat', (db) => {
  const cli = appointmentsCli(db);
  let staff: MadeUser;
  let doctor: MadeUser;
  const series = async (patient: MadeUser, args: string[]) =>
    cli(staff, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, ...args]);
  const activeOf = async (patient: MadeUser) => {
    const result = await cli(staff, ['list', '--json', '--all', '--patient', patient.username]);
    return result.json<Appointment[]>().filter((a) => a.status !== 'CANCELLED');
  };

  beforeAll(async () => {
    await upsertSetting(db().knex, 'timezone', 'Europe/Lisbon', null);
    staff = await makeStaff(db().knex);
    doctor = await makeDoctor(db().knex, { hours: EVERY_DAY });
  });

  it('books every occurrence with one seriesId, as appointment objects with every field', async () => {
    const patient = await makePatient(db().knex);
    const result = await series(patient, ['--date', MONDAY, '--time', '09:00', '--repeat', 'weekly', '--count', '4']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const booked = result.json<Series>();
    expect(Object.keys(booked).sort()).toEqual(['appointments', 'seriesId', 'skipped']);
    expect(booked.skipped).toEqual([]);
    expect(booked.appointments.map((a) => a.date)).toEqual(['2027-01-04', '2027-01-11', '2027-01-18', '2027-01-25']);
    for (const appointment of booked.appointments) {
      expect(Object.keys(appointment).sort()).toEqual(APPOINTMENT_FIELDS);
      expect(appointment).toMatchObject({ seriesId: booked.seriesId, startTime: '09:00', status: 'PENDING' });
    }
    const audit = await db()
      .knex('audit_log')
      .where({ action: 'appointments.book' })
      .whereIn(
        'entity_id',
        booked.appointments.map((a) => a.id),
      );
    expect(audit).toHaveLength(4);
    const shown = await cli(staff, ['show', '--json', booked.appointments[2]!.id]);
    expect(shown.json<Appointment>().seriesId).toBe(booked.seriesId);
  });

  it('a single booking has seriesId null', async () => {
    const patient = await makePatient(db().knex);
    const result = await series(patient, ['--date', MONDAY, '--time', '10:00']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Appointment>().seriesId).toBeNull();
  });

  it('checks every occurrence: one clash books nothing (exit 7 naming it); --skip-conflicts books the rest and lists it', async () => {
    const other = await makePatient(db().knex);
    const taken = await series(other, ['--date', '2027-01-20', '--time', '11:00']);
    expect(taken.code, taken.stderr).toBe(0);
    const patient = await makePatient(db().knex);
    const args = ['--date', '2027-01-06', '--time', '11:00', '--repeat', 'weekly', '--count', '3'];

    const refused = await series(patient, args);
    expect(refused.code).toBe(7);
    const error = JSON.parse(refused.stderr).error;
    expect(error).toMatchObject({ code: 'CONFLICT', reason: 'SLOT_TAKEN' });
    expect(error.message).toContain('Occurrence 2027-01-20 11:00');
    expect(await activeOf(patient)).toEqual([]);

    const partial = await series(patient, [...args, '--skip-conflicts']);
    expect(partial.code, partial.stderr).toBe(0);
    const booked = partial.json<Series>();
    expect(booked.appointments.map((a) => a.date)).toEqual(['2027-01-06', '2027-01-13']);
    expect(booked.skipped).toEqual([{ date: '2027-01-20', startTime: '11:00', code: 'CONFLICT', reason: 'SLOT_TAKEN', message: expect.any(String) }]);
  });

  it('runs time-off, hours and the patient constraint for each occurrence', async () => {
    const patient = await makePatient(db().knex);
    await insertTimeoff(db().knex, {
      doctor_id: doctor.id,
      starts_at: new Date('2027-02-09T00:00:00Z'),
      ends_at: new Date('2027-02-10T00:00:00Z'),
      reason: null,
      created_by: null,
    });
    const busy = await cli(staff, [
      'book',
      '--json',
      '--patient',
      patient.username,
      '--doctor',
      (await makeDoctor(db().knex)).username,
      '--date',
      '2027-02-10',
      '--time',
      '16:00',
    ]);
    expect(busy.code, busy.stderr).toBe(0);
    const result = await series(patient, [
      '--date',
      '2027-02-08',
      '--time',
      '16:00',
      '--repeat',
      'daily',
      '--count',
      '3',
      '--skip-conflicts',
      '--duration',
      '60',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const booked = result.json<Series>();
    expect(booked.appointments.map((a) => a.date)).toEqual(['2027-02-08']);
    expect(booked.skipped.map((s) => [s.date, s.reason])).toEqual([
      ['2027-02-09', 'TIME_OFF'],
      ['2027-02-10', 'PATIENT_BUSY'],
    ]);
    const outside = await series(patient, ['--date', '2027-02-15', '--time', '16:30', '--repeat', 'daily', '--count', '2', '--duration', '60']);
    expect(outside.code).toBe(7);
    expect(JSON.parse(outside.stderr).error.reason).toBe('OUTSIDE_HOURS');
  });

  it('monthly on the 31st skips the months without one (they do not count)', async () => {
    const patient = await makePatient(db().knex);
    const result = await series(patient, ['--date', '2027-01-31', '--time', '12:00', '--repeat', 'monthly', '--count', '4']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Series>().appointments.map((a) => a.date)).toEqual(['2027-01-31', '2027-03-31', '2027-05-31', '2027-07-31']);
  });

  it('--until is inclusive; every-2-weeks steps two weeks', async () => {
    const patient = await makePatient(db().knex);
    const result = await series(patient, ['--date', '2027-03-01', '--time', '13:00', '--repeat', 'every-2-weeks', '--until', '2027-03-29']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Series>().appointments.map((a) => a.date)).toEqual(['2027-03-01', '2027-03-15', '2027-03-29']);
  });

  it('refuses a series over 100 occurrences or a year, and bad combinations, with exit 2 before writing', async () => {
    const patient = await makePatient(db().knex);
    const base = ['--date', '2027-04-01', '--time', '14:00'];
    for (const args of [
      ['--repeat', 'daily', '--count', '101'],
      ['--repeat', 'daily', '--until', '2027-08-01'],
      ['--repeat', 'every-2-weeks', '--count', '40'],
      ['--repeat', 'weekly', '--until', '2028-04-02'],
      ['--repeat', 'weekly'],
      ['--repeat', 'weekly', '--count', '2', '--until', '2027-05-01'],
      ['--repeat', 'hourly', '--count', '2'],
      ['--count', '2'],
    ]) {
      const result = await series(patient, [...base, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
    expect(await activeOf(patient)).toEqual([]);
  });

  it('cancel --series cancels this and the following active occurrences, in one step', async () => {
    const patient = await makePatient(db().knex);
    const booked = (await series(patient, ['--date', '2027-05-03', '--time', '15:00', '--repeat', 'weekly', '--count', '4'])).json<Series>();
    const [first, second, third] = booked.appointments;
    expect((await cli(staff, ['cancel', third!.id, '--reason', 'moved away'])).code).toBe(0);
    const result = await cli(staff, ['cancel', '--json', second!.id, '--series', '--reason', 'stopping', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const cancelled = result.json<Appointment[]>();
    expect(cancelled.map((a) => a.date)).toEqual(['2027-05-10', '2027-05-24']);
    expect(cancelled.every((a) => a.status === 'CANCELLED' && a.cancelReason === 'stopping')).toBe(true);
    expect((await activeOf(patient)).map((a) => a.id)).toEqual([first!.id]);
    const single = await cli(staff, [
      'cancel',
      '--json',
      (await series(patient, ['--date', '2027-05-04', '--time', '15:00'])).json<Appointment>().id,
      '--series',
      '--reason',
      'x',
      '--yes',
    ]);
    expect(single.code).toBe(3);
  });

  it('reschedule --series moves each following occurrence by the same offset, all or nothing', async () => {
    const patient = await makePatient(db().knex);
    const booked = (await series(patient, ['--date', '2027-06-07', '--time', '09:00', '--repeat', 'weekly', '--count', '3'])).json<Series>();
    const [, second] = booked.appointments;
    // Tuesday 10:00 instead of Monday 09:00
    const moved = await cli(staff, ['reschedule', '--json', second!.id, '--series', '--date', '2027-06-15', '--time', '10:00', '--yes']);
    expect(moved.code, moved.stderr).toBe(0);
    const after = moved.json<Appointment[]>();
    expect(after.map((a) => `${a.date} ${a.startTime}`)).toEqual(['2027-06-15 10:00', '2027-06-22 10:00']);
    expect(after.every((a) => a.seriesId === booked.seriesId && a.rescheduledFromId !== null)).toBe(true);

    const other = await makePatient(db().knex);
    expect((await series(other, ['--date', '2027-06-23', '--time', '11:00'])).code).toBe(0);
    const before = (await activeOf(patient)).map((a) => a.id).sort();
    const clash = await cli(staff, ['reschedule', '--json', after[0]!.id, '--series', '--date', '2027-06-16', '--time', '11:00', '--yes']);
    expect(clash.code).toBe(7);
    expect(JSON.parse(clash.stderr).error.message).toContain('Occurrence 2027-06-23 11:00');
    expect((await activeOf(patient)).map((a) => a.id).sort()).toEqual(before);
  });

  it('cancel --series and reschedule --series without a terminal, or with --no-input, refuse (exit 2) naming --yes and the occurrences; nothing changes', async () => {
    const patient = await makePatient(db().knex);
    const booked = (await series(patient, ['--date', '2027-07-05', '--time', '09:00', '--repeat', 'weekly', '--count', '3'])).json<Series>();
    const [first] = booked.appointments;
    const audit = async () => Number((await db().knex('audit_log').count({ n: '*' }).first())!.n);
    const before = await audit();
    const runs = [
      {
        args: ['cancel', first!.id, '--series', '--reason', 'stopping'],
        asked: `Cancel 3 occurrences of the series of ${patient.username} with ${doctor.username}, from 2027-07-05 to 2027-07-19?`,
      },
      {
        args: ['reschedule', first!.id, '--series', '--date', '2027-07-06', '--time', '10:00'],
        asked: `Move 3 occurrences of the series of ${patient.username} with ${doctor.username}, from 2027-07-05 to 2027-07-19: the first to 2027-07-06 10:00`,
      },
    ];
    for (const { args, asked } of runs) {
      for (const result of [
        await cli(staff, args),
        await runCli(['appointments', ...args, '--no-input'], { database: db().database, actor: staff, tty: true, now: () => NOW }),
        await cli(staff, [...args, '--json']),
      ]) {
        expect(result.code, result.stderr).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(asked);
        expect(result.stderr).toContain('--yes');
      }
    }
    expect(await audit()).toBe(before);
    expect((await activeOf(patient)).map((a) => `${a.date} ${a.startTime} ${a.status}`)).toEqual(booked.appointments.map((a) => `${a.date} 09:00 PENDING`));
  });

  it('an occurrence that changes after the confirmation listed the series changes nothing', async () => {
    const patient = await makePatient(db().knex);
    const booked = (await series(patient, ['--date', '2027-08-02', '--time', '09:00', '--repeat', 'weekly', '--count', '3'])).json<Series>();
    const [first, second] = booked.appointments;
    const ctx = db().context(staff, () => NOW);
    const confirmed = (await planSeriesChange(ctx, { appointment: first!.id })).map((a) => a.id);
    expect(confirmed).toEqual(booked.appointments.map((a) => a.id));
    expect((await cli(staff, ['cancel', second!.id, '--reason', 'meanwhile'])).code).toBe(0);
    await expect(cancelSeries(ctx, { appointment: first!.id, reason: 'stopping', confirmed })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(rescheduleSeries(ctx, { appointment: first!.id, date: '2027-08-03', time: '09:00', confirmed })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await activeOf(patient)).map((a) => a.id)).toEqual([first!.id, booked.appointments[2]!.id]);
  });
});
