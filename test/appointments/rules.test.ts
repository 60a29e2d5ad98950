import { describe, expect, it } from 'vitest';
import { toClinicInstant } from '../../src/domain/clinic-time.js';
import { checkDuration, checkSchedule, checkWorkingHours, gridStarts } from '../../src/domain/appointments/rules.js';
import { ValidationError } from '../../src/domain/errors.js';

const HOURS = [
  { weekday: 1, start: '09:00:00', end: '12:00:00' },
  { weekday: 1, start: '13:00:00', end: '17:00:00' },
];
const zone = 'Europe/Lisbon';

describe('booking rules (pure)', () => {
  it('reads a local date and time in the zone, refusing DST gaps and taking the earlier of repeated times', () => {
    expect(toClinicInstant('2027-01-04', '09:00', 'America/New_York').toUTC().toISO()).toBe('2027-01-04T14:00:00.000Z');
    expect(() => toClinicInstant('2027-03-14', '02:00', 'America/New_York')).toThrow(ValidationError);
    expect(toClinicInstant('2027-11-07', '01:00', 'America/New_York').toUTC().toISO()).toBe('2027-11-07T05:00:00.000Z');
    expect(toClinicInstant('2027-10-31', '01:59', zone).toUTC().toISO()).toBe('2027-10-31T00:59:00.000Z');
    for (const [date, time] of [
      ['2027-1-4', '09:00'],
      ['2027-13-01', '09:00'],
      ['2027-01-04', '9'],
      ['2027-01-04', '24:00'],
      ['2027-01-04', '09:60'],
    ]) {
      expect(() => toClinicInstant(date!, time!, zone), `${date} ${time}`).toThrow(ValidationError);
    }
  });

  it('keeps an appointment inside one working range and on the grid', () => {
    const at = (time: string, minutes = 30) => {
      const start = toClinicInstant('2027-01-04', time, zone);
      return checkWorkingHours(start, start.plus({ minutes }), HOURS, 30)?.kind;
    };
    expect(at('09:00')).toBeUndefined();
    expect(at('11:30')).toBeUndefined();
    expect(at('11:30', 60)).toBe('outside-hours'); // would run into the lunch break
    expect(at('12:00')).toBe('outside-hours');
    expect(at('13:15')).toBe('off-grid');
    expect(at('16:30')).toBeUndefined();
    expect(at('17:00')).toBe('outside-hours');
    const sunday = toClinicInstant('2027-01-03', '10:00', zone);
    expect(checkWorkingHours(sunday, sunday.plus({ minutes: 30 }), HOURS, 30)?.message).toMatch(/does not work on Sundays/);
  });

  it('checks the past and time-off', () => {
    const start = toClinicInstant('2027-01-04', '10:00', zone);
    const base = { start, durationMinutes: 30, hours: HOURS, slotMinutes: 30, timeoff: [] as Array<{ startsAt: Date; endsAt: Date }> };
    expect(checkSchedule({ ...base, now: new Date('2027-01-04T10:00:01Z') })?.kind).toBe('past');
    expect(checkSchedule({ ...base, now: new Date('2027-01-04T10:00:00Z') })).toBeUndefined();
    const timeoff = [{ startsAt: new Date('2027-01-04T10:15:00Z'), endsAt: new Date('2027-01-04T11:00:00Z') }];
    expect(checkSchedule({ ...base, timeoff, now: new Date('2027-01-01T00:00:00Z') })?.kind).toBe('time-off');
    const touching = [{ startsAt: new Date('2027-01-04T10:30:00Z'), endsAt: new Date('2027-01-04T11:00:00Z') }];
    expect(checkSchedule({ ...base, timeoff: touching, now: new Date('2027-01-01T00:00:00Z') })).toBeUndefined();
  });

  it('lists the grid of a day and checks durations', () => {
    expect(gridStarts('2027-01-04', zone, HOURS, 30, 60).map((s) => s.toFormat('HH:mm'))).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '13:00',
      '13:30',
      '14:00',
      '14:30',
      '15:00',
      '15:30',
      '16:00',
    ]);
    expect(checkDuration(undefined, 20)).toBe(20);
    expect(checkDuration(60, 20)).toBe(60);
    expect(() => checkDuration(50, 20)).toThrow(ValidationError);
    expect(() => checkDuration(0, 20)).toThrow(ValidationError);
  });
});
