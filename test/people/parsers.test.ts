import { describe, expect, it } from 'vitest';
import { clinicDate, formatClinicDateTime, parseClinicDateTime, parseTimeOfDay } from '../../src/domain/clinic-time.js';
import { formatDays, formatRanges, parseDays, parseRanges, weekFromRows } from '../../src/domain/doctors/hours.js';
import { parseDoctorChanges, parseNewDoctor } from '../../src/domain/doctors/validation.js';
import { ValidationError } from '../../src/domain/errors.js';
import { parseNewPatient, parsePatientChanges } from '../../src/domain/patients/validation.js';

const invalid = (fn: () => unknown, message: RegExp) => {
  expect(fn).toThrow(ValidationError);
  expect(fn).toThrow(message);
};

describe('parseDays', () => {
  it.each([
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['mon,wed', [1, 3]],
    ['sat', [6]],
    ['mon-wed,fri', [1, 2, 3, 5]],
    ['SUN,Mon', [1, 7]],
    ['friday-sunday', [5, 6, 7]],
    ['mon,mon-tue', [1, 2]],
  ])('%s → %j', (text, days) => {
    expect(parseDays(text)).toEqual(days);
  });

  it.each([
    ['funday', /Unknown day "funday"/],
    ['mon-', /Unknown day ""/],
    ['fri-mon', /runs backwards/],
    ['mon-wed-fri', /is not a day or a range of days/],
    ['', /No days given/],
  ])('refuses %j', (text, message) => invalid(() => parseDays(text), message));

  it('formats back to the shortest form', () => {
    expect(formatDays([1, 2, 3, 4, 5])).toBe('mon-fri');
    expect(formatDays([1, 2, 3, 5])).toBe('mon-wed,fri');
    expect(formatDays([1, 2])).toBe('mon,tue');
    expect(formatDays([6])).toBe('sat');
    for (const text of ['mon-fri', 'mon-wed,fri', 'sat', 'mon,wed', 'tue-thu,sat,sun']) {
      expect(parseDays(formatDays(parseDays(text)))).toEqual(parseDays(text));
    }
  });
});

describe('parseRanges', () => {
  it('reads ranges, sorts them, and allows touching ones', () => {
    expect(parseRanges('13:00-17:00,09:00-12:00')).toEqual([
      { start: 540, end: 720 },
      { start: 780, end: 1020 },
    ]);
    expect(parseRanges('09:00-12:00,12:00-13:00')).toHaveLength(2);
    expect(parseRanges('00:00-24:00')).toEqual([{ start: 0, end: 1440 }]);
  });

  it('reads `off` as no ranges', () => {
    expect(parseRanges('off')).toEqual([]);
    expect(parseRanges(' OFF ')).toEqual([]);
  });

  it.each([
    ['09:00-12:00,11:00-13:00', /09:00-12:00 and 11:00-13:00 overlap/],
    ['17:00-09:00', /ends before it starts/],
    ['09:00-09:00', /ends before it starts/],
    ['9:00-12:00', /"9:00" is not a time of day/],
    ['09:60-12:00', /"09:60" is not a time of day/],
    ['25:00-26:00', /"25:00" is not a time of day/],
    ['24:30-24:45', /"24:30" is not a time of day/],
    ['09:00', /is not a range of hours/],
    ['', /No hours given/],
  ])('refuses %j', (text, message) => invalid(() => parseRanges(text), message));

  it('formats back', () => {
    expect(formatRanges(parseRanges('09:00-12:00,13:00-17:00'))).toBe('09:00-12:00,13:00-17:00');
    expect(formatRanges([])).toBe('off');
    expect(parseTimeOfDay('24:00')).toBe(1440);
  });

  it('turns rows of doctor_hours into the seven days of the week', () => {
    const week = weekFromRows([
      { weekday: 1, start_time: '13:00:00', end_time: '17:00:00' },
      { weekday: 1, start_time: '09:00:00', end_time: '12:00:00' },
      { weekday: 6, start_time: '10:00:00', end_time: '24:00:00' },
    ]);
    expect(week.map((day) => day.day)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(week[0]).toEqual({ day: 'mon', ranges: ['09:00-12:00', '13:00-17:00'] });
    expect(week[1]).toEqual({ day: 'tue', ranges: [] });
    expect(week[5]).toEqual({ day: 'sat', ranges: ['10:00-24:00'] });
  });
});

describe('parseClinicDateTime', () => {
  const zone = 'Europe/Lisbon';

  it('reads a date alone as the whole day: 00:00 for a start, 24:00 for an end', () => {
    expect(parseClinicDateTime('2026-07-01', zone, 'start', '--from').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(parseClinicDateTime('2026-07-01', zone, 'end', '--to').toISOString()).toBe('2026-07-01T23:00:00.000Z');
    expect(parseClinicDateTime('2026-12-31', zone, 'end', '--to').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('reads a date and time on the clinic wall clock', () => {
    expect(parseClinicDateTime('2026-01-15T09:30', zone, 'start', '--from').toISOString()).toBe('2026-01-15T09:30:00.000Z');
    expect(parseClinicDateTime('2026-01-15T09:30', 'America/New_York', 'start', '--from').toISOString()).toBe('2026-01-15T14:30:00.000Z');
  });

  it('refuses a time inside the daylight-saving gap', () => {
    // Lisbon skips 01:00-02:00 on 2026-03-29.
    invalid(() => parseClinicDateTime('2026-03-29T01:30', zone, 'start', '--from'), /does not exist in Europe\/Lisbon/);
    expect(parseClinicDateTime('2026-03-29T02:00', zone, 'start', '--from').toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', 'tomorrow', '2026-01-01T25:00', '2026-01-01T10:61', '2026-1-1'])('refuses %j', (text) =>
    invalid(() => parseClinicDateTime(text, zone, 'start', '--from'), /Invalid --from/),
  );

  it('formats moments on the wall clock and knows today there', () => {
    expect(formatClinicDateTime(new Date('2026-07-01T08:00:00Z'), zone)).toBe('2026-07-01 09:00');
    expect(formatClinicDateTime(new Date('2026-07-01T23:00:00Z'), zone, 'end')).toBe('2026-07-01 24:00');
    expect(formatClinicDateTime(new Date('2026-07-01T23:00:00Z'), zone, 'start')).toBe('2026-07-02 00:00');
    expect(formatClinicDateTime(new Date('2026-07-01T08:00:00Z'), zone, 'end')).toBe('2026-07-01 09:00');
    expect(clinicDate(new Date('2026-07-01T23:30:00Z'), zone)).toBe('2026-07-02');
  });
});

describe('parseNewDoctor', () => {
  it('normalizes and fills the default slot length', () => {
    expect(parseNewDoctor({ username: ' Dr.Who ', fullName: ' The Doctor ', specialty: ' ', licenseNumber: 'LIC-1', email: 'who@example.org' })).toEqual({
      username: 'dr.who',
      fullName: 'The Doctor',
      specialty: null,
      licenseNumber: 'LIC-1',
      slotMinutes: 30,
      email: 'who@example.org',
    });
    expect(parseNewDoctor({ username: 'dr.a', fullName: 'A', slotMinutes: '15' }).slotMinutes).toBe(15);
    expect(parseNewDoctor({ username: 'dr.a', fullName: 'A', slotMinutes: 480 }).slotMinutes).toBe(480);
  });

  it.each([
    [{ username: 'Dr Who', fullName: 'X' }, /Invalid username/],
    [{ username: 'a', fullName: 'X' }, /Invalid username/],
    [{ username: 'dr.a', fullName: '  ' }, /Invalid name/],
    [{ username: 'dr.a', fullName: 'X', slotMinutes: '4' }, /from 5 to 480/],
    [{ username: 'dr.a', fullName: 'X', slotMinutes: 485 }, /from 5 to 480/],
    [{ username: 'dr.a', fullName: 'X', slotMinutes: '17' }, /multiple of 5/],
    [{ username: 'dr.a', fullName: 'X', slotMinutes: '30.5' }, /whole number/],
    [{ username: 'dr.a', fullName: 'X', slotMinutes: 'half an hour' }, /slot minutes/],
    [{ username: 'dr.a', fullName: 'X', email: 'nobody' }, /Invalid email/],
    [{ username: 'dr.a', fullName: 'X', licenseNumber: 'x'.repeat(51) }, /at most 50/],
    [{ username: 'dr.a', fullName: 'X', specialty: 's'.repeat(101) }, /at most 100/],
  ])('refuses %j', (input, message) => invalid(() => parseNewDoctor(input), message));

  it('requires at least one change, and treats an empty value as clearing', () => {
    invalid(() => parseDoctorChanges({}), /Nothing to update/);
    expect(parseDoctorChanges({ specialty: '', licenseNumber: '' })).toEqual({ specialty: null, licenseNumber: null });
  });
});

describe('parseNewPatient', () => {
  const today = '2026-11-25';

  it('normalizes fields and doctor names', () => {
    expect(
      parseNewPatient(
        { username: 'Ana.Silva', fullName: 'Ana Silva', dateOfBirth: '1980-02-29', phone: ' +351 912 345 678 ', doctors: ['Dr.A', 'dr.a', ' '] },
        { today },
      ),
    ).toEqual({ username: 'ana.silva', fullName: 'Ana Silva', dateOfBirth: '1980-02-29', phone: '+351 912 345 678', email: null, doctors: ['dr.a'] });
    expect(parseNewPatient({ username: 'baby', fullName: 'Baby', dateOfBirth: today }, { today }).dateOfBirth).toBe(today);
    expect(parseNewPatient({ username: 'old', fullName: 'Old', dateOfBirth: '1900-01-01' }, { today }).dateOfBirth).toBe('1900-01-01');
  });

  it.each([
    [{ dateOfBirth: '2026-11-26' }, /in the future/],
    [{ dateOfBirth: '1899-12-31' }, /before 1900-01-01/],
    [{ dateOfBirth: '1981-02-29' }, /not a date in the calendar/],
    [{ dateOfBirth: '25/12/1980' }, /not a date \(YYYY-MM-DD\)/],
    [{ phone: 'call me' }, /Invalid phone/],
    [{ phone: '12-34' }, /Invalid phone/],
    [{ phone: '+1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1' }, /Invalid phone/],
    [{ email: 'a@b' }, /Invalid email/],
    [{ username: 'Ana Silva' }, /Invalid username/],
  ])('refuses %j', (fields, message) => invalid(() => parseNewPatient({ username: 'ana', fullName: 'Ana', ...fields }, { today }), message));

  it('parses changes with the same rules', () => {
    invalid(() => parsePatientChanges({}, { today }), /Nothing to update/);
    invalid(() => parsePatientChanges({ dateOfBirth: '2030-01-01' }, { today }), /in the future/);
    expect(parsePatientChanges({ phone: '', dateOfBirth: '' }, { today })).toEqual({ phone: null, dateOfBirth: null });
  });
});
