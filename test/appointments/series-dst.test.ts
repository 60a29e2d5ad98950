import { beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import type { Appointment } from './helpers.js';
import { appointmentsCli } from './helpers.js';

/**
 * A weekly series keeps its wall-clock time in the clinic zone across both daylight-saving
 * changes (so its UTC instant moves by the hour), a time the clocks repeat is the earlier one, and
 * a time the clocks skip on the spring Sunday is that occurrence's invalid input: the whole series
 * is refused (exit 3), or with --skip-conflicts that Sunday alone is skipped. Doctor: Sundays
 * 00:00-05:00 (every 2027 change falls on a Sunday in the small hours).
 */
const CASES = [
  {
    zone: 'America/New_York',
    spring: { sundays: ['2027-03-07', '2027-03-14', '2027-03-21'], skipped: '02:30', kept: '04:00', utc: ['09:00', '08:00', '08:00'] },
    autumn: { sundays: ['2027-10-31', '2027-11-07', '2027-11-14'], repeated: '01:30', utc: ['2027-10-31T05:30', '2027-11-07T05:30', '2027-11-14T06:30'] },
  },
  {
    zone: 'Europe/Lisbon',
    spring: { sundays: ['2027-03-21', '2027-03-28', '2027-04-04'], skipped: '01:30', kept: '04:00', utc: ['04:00', '03:00', '03:00'] },
    autumn: { sundays: ['2027-10-24', '2027-10-31', '2027-11-07'], repeated: '01:30', utc: ['2027-10-24T00:30', '2027-10-31T00:30', '2027-11-07T01:30'] },
  },
] as const;

const NOW = new Date('2027-01-01T12:00:00Z');

interface Series {
  seriesId: string;
  appointments: Appointment[];
  skipped: Array<{ date: string; startTime: string; code: string; message: string }>;
}

for (const { zone, spring, autumn } of CASES) {
  describeBackends(`series across daylight saving in ${zone}`, (db) => {
    const cli = appointmentsCli(db);
    let staff: MadeUser;
    let doctor: MadeUser;
    const weekly = async (date: string, time: string, extra: string[] = []) => {
      const patient = await makePatient(db().knex);
      const args = ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--date', date, '--time', time];
      return cli(staff, [...args, '--repeat', 'weekly', '--count', '3', ...extra], NOW);
    };

    beforeAll(async () => {
      await upsertSetting(db().knex, 'timezone', zone, null);
      staff = await makeStaff(db().knex);
      doctor = await makeDoctor(db().knex, { hours: [{ weekday: 7, start: '00:00', end: '05:00' }] });
    });

    it(`spring forward: ${spring.kept} stays ${spring.kept} on the wall clock, one hour earlier in UTC`, async () => {
      const result = await weekly(spring.sundays[0], spring.kept);
      expect(result.code, result.stderr).toBe(0);
      const { appointments } = result.json<Series>();
      expect(appointments.map((a) => [a.date, a.startTime])).toEqual(spring.sundays.map((date) => [date, spring.kept]));
      expect(appointments.map((a) => a.startsAt.slice(11, 16))).toEqual([...spring.utc]);
    });

    it(`spring forward: ${spring.skipped} does not exist on ${spring.sundays[1]}: the series is refused (exit 3), or that day skipped`, async () => {
      const refused = await weekly(spring.sundays[0], spring.skipped);
      expect(refused.code).toBe(3);
      const error = JSON.parse(refused.stderr).error;
      expect(error.message).toContain(`Occurrence ${spring.sundays[1]} ${spring.skipped}: ${spring.sundays[1]} ${spring.skipped} does not exist in ${zone}`);
      expect(error.remedy).toContain('--skip-conflicts');

      const skipping = await weekly(spring.sundays[0], spring.skipped, ['--skip-conflicts']);
      expect(skipping.code, skipping.stderr).toBe(0);
      const booked = skipping.json<Series>();
      expect(booked.appointments.map((a) => a.date)).toEqual([spring.sundays[0], spring.sundays[2]]);
      expect(booked.appointments.every((a) => a.startTime === spring.skipped)).toBe(true);
      expect(booked.skipped).toMatchObject([{ date: spring.sundays[1], startTime: spring.skipped, code: 'INVALID_INPUT' }]);
    });

    it(`fall back: ${autumn.repeated} every week, the repeated one is the earlier instant`, async () => {
      const result = await weekly(autumn.sundays[0], autumn.repeated);
      expect(result.code, result.stderr).toBe(0);
      const { appointments } = result.json<Series>();
      expect(appointments.map((a) => a.startTime)).toEqual([autumn.repeated, autumn.repeated, autumn.repeated]);
      expect(appointments.map((a) => a.startsAt.slice(0, 16))).toEqual([...autumn.utc]);
    });

    it('reschedule --series across the spring change keeps the wall clock', async () => {
      const booked = (await weekly(spring.sundays[0], '00:00')).json<Series>();
      const moved = await cli(
        staff,
        ['reschedule', '--json', booked.appointments[0]!.id, '--series', '--date', spring.sundays[0], '--time', '04:30', '--yes'],
        NOW,
      );
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.json<Appointment[]>().map((a) => [a.date, a.startTime])).toEqual(spring.sundays.map((date) => [date, '04:30']));
    });
  });
}
