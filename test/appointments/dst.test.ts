import { beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { appointmentsCli, type Appointment } from './helpers.js';

/**
 * Daylight-saving days, with a doctor who works Sundays 00:00-05:00 (all four changes of 2027
 * fall on a Sunday, in the small hours). Local times are read in the clinic's zone; a skipped
 * time is invalid (exit 3); a repeated time is the earlier of the two.
 */
const CASES = [
  {
    zone: 'America/New_York',
    spring: {
      date: '2027-03-14',
      skipped: '02:30',
      before: '01:30',
      beforeUtc: '2027-03-14T06:30:00.000Z',
      beforeSlot: '01:30-03:00',
      after: '03:00',
      afterUtc: '2027-03-14T07:00:00.000Z',
    },
    springSlots: ['00:00', '00:30', '01:00', '01:30', '03:00', '03:30', '04:00', '04:30'],
    autumn: {
      date: '2027-11-07',
      repeated: '01:30',
      earlierUtc: '2027-11-07T05:30:00.000Z',
      slot: '01:30-01:00',
      next: '02:00',
      nextUtc: '2027-11-07T07:00:00.000Z',
    },
  },
  {
    zone: 'Europe/Lisbon',
    spring: {
      date: '2027-03-28',
      skipped: '01:30',
      before: '00:30',
      beforeUtc: '2027-03-28T00:30:00.000Z',
      beforeSlot: '00:30-02:00',
      after: '02:00',
      afterUtc: '2027-03-28T01:00:00.000Z',
    },
    springSlots: ['00:00', '00:30', '02:00', '02:30', '03:00', '03:30', '04:00', '04:30'],
    autumn: {
      date: '2027-10-31',
      repeated: '01:30',
      earlierUtc: '2027-10-31T00:30:00.000Z',
      slot: '01:30-01:00',
      next: '02:00',
      nextUtc: '2027-10-31T02:00:00.000Z',
    },
  },
] as const;

const NOW = new Date('2027-01-01T12:00:00Z');

for (const { zone, spring, springSlots, autumn } of CASES) {
  describeBackends(`daylight saving in ${zone}`, (db) => {
    const cli = appointmentsCli(db);
    let staff: MadeUser;
    let doctor: MadeUser;
    const book = async (date: string, time: string) => {
      const patient = await makePatient(db().knex);
      return cli(staff, ['book', '--json', '--patient', patient.username, '--doctor', doctor.username, '--date', date, '--time', time], NOW);
    };

    beforeAll(async () => {
      await upsertSetting(db().knex, 'timezone', zone, null);
      staff = await makeStaff(db().knex);
      doctor = await makeDoctor(db().knex, { hours: [{ weekday: 7, start: '00:00', end: '05:00' }] });
    });

    it(`refuses ${spring.skipped} on ${spring.date}: the clocks skip it (exit 3)`, async () => {
      const result = await book(spring.date, spring.skipped);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`${spring.date} ${spring.skipped} does not exist in ${zone}`);
    });

    it(`books around the spring gap on ${spring.date} with the right instants`, async () => {
      const before = await book(spring.date, spring.before);
      expect(before.code, before.stderr).toBe(0);
      expect(before.json<Appointment>()).toMatchObject({ date: spring.date, startsAt: spring.beforeUtc, timeSlot: spring.beforeSlot });
      const after = await book(spring.date, spring.after);
      expect(after.code, after.stderr).toBe(0);
      expect(after.json<Appointment>()).toMatchObject({ startsAt: spring.afterUtc });
      // 30 real minutes apart on the wall clock's both sides of the gap: back to back, no clash.
      expect(Date.parse(spring.afterUtc) - Date.parse(spring.beforeUtc)).toBe(30 * 60_000);
    });

    it(`offers no slot inside the spring gap`, async () => {
      const other = await makeDoctor(db().knex, { hours: [{ weekday: 7, start: '00:00', end: '05:00' }] });
      const result = await cli(staff, ['slots', '--json', '--doctor', other.username, '--date', spring.date], NOW);
      expect(result.json<Array<{ time: string }>>().map((slot) => slot.time)).toEqual(springSlots);
    });

    it(`takes the earlier ${autumn.repeated} on ${autumn.date}, when the clocks go back`, async () => {
      const result = await book(autumn.date, autumn.repeated);
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<Appointment>()).toMatchObject({ date: autumn.date, startsAt: autumn.earlierUtc, timeSlot: autumn.slot });
      const next = await book(autumn.date, autumn.next);
      expect(next.json<Appointment>()).toMatchObject({ startsAt: autumn.nextUtc });
      const clash = await book(autumn.date, autumn.repeated);
      expect(clash.code).toBe(7);
    });
  });
}
