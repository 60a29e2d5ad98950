import { DateTime } from 'luxon';
import { clinicTime, formatClinicDateTime, formatTimeOfDay, minutesOfDay, startOfClinicDay, toClinicInstant } from '../clinic-time.js';
import { ValidationError } from '../errors.js';

/**
 * The booking rules of DESIGN §6 as pure functions, shared by `book`, `reschedule`, `slots` and
 * the bulk import. Local dates and times are the clinic's; instants are absolute (UTC).
 */

/** The longest appointment one booking may take. */
export const MAX_DURATION_MINUTES = 8 * 60;

export interface WorkingRange {
  weekday: number; // ISO 1 = Monday … 7 = Sunday
  start: string; // 'HH:MM' or 'HH:MM:SS', clinic time
  end: string;
}

export interface Interval {
  startsAt: Date;
  endsAt: Date;
}

/** "09:30-10:00" in the clinic's zone. */
export function timeSlotLabel(interval: Interval, zone: string): string {
  return `${clinicTime(interval.startsAt, zone)}-${clinicTime(interval.endsAt, zone)}`;
}

/** The duration to book: the slot length by default, else a positive multiple of it. */
export function checkDuration(durationMinutes: number | undefined, slotMinutes: number): number {
  const duration = durationMinutes ?? slotMinutes;
  if (!Number.isInteger(duration) || duration <= 0 || duration % slotMinutes !== 0 || duration > MAX_DURATION_MINUTES) {
    throw new ValidationError(
      `Invalid duration ${durationMinutes}: it must be a multiple of the doctor's ${slotMinutes}-minute slot, at most ${MAX_DURATION_MINUTES} minutes.`,
    );
  }
  return duration;
}

const hhmm = (value: string) => value.slice(0, 5);

/** Why a start does not fit the doctor's week; undefined when it fits. */
export type ScheduleProblem =
  | { kind: 'outside-hours'; message: string }
  | { kind: 'off-grid'; message: string }
  | { kind: 'time-off'; message: string }
  | { kind: 'past'; message: string };

/**
 * Whether [start, start + duration) lies inside ONE working range of its local weekday, with the
 * start on the slot grid (a multiple of slotMinutes from the range start, wall-clock minutes).
 */
export function checkWorkingHours(start: DateTime, end: DateTime, hours: readonly WorkingRange[], slotMinutes: number): ScheduleProblem | undefined {
  const ranges = hours.filter((range) => range.weekday === start.weekday);
  const startMinute = start.hour * 60 + start.minute;
  const sameDay = end.toISODate() === start.toISODate() || (end.hour === 0 && end.minute === 0 && end.minus({ days: 1 }).toISODate() === start.toISODate());
  const endMinute = end.hour === 0 && end.minute === 0 && end.toISODate() !== start.toISODate() ? 24 * 60 : end.hour * 60 + end.minute;
  const range = ranges.find((candidate) => startMinute >= minutesOfDay(candidate.start) && startMinute < minutesOfDay(candidate.end));
  const listed = ranges.map((candidate) => `${hhmm(candidate.start)}-${hhmm(candidate.end)}`).join(', ');
  const dayName = start.toFormat('cccc');
  if (!range) {
    return {
      kind: 'outside-hours',
      message:
        ranges.length === 0
          ? `The doctor does not work on ${dayName}s.`
          : `${start.toFormat('HH:mm')} is outside the doctor's hours on ${dayName}s (${listed}).`,
    };
  }
  const offset = startMinute - minutesOfDay(range.start);
  if (offset % slotMinutes !== 0) {
    const before = minutesOfDay(range.start) + Math.floor(offset / slotMinutes) * slotMinutes;
    const nearest = [before, before + slotMinutes].filter((m) => m < minutesOfDay(range.end)).map(formatTimeOfDay);
    return { kind: 'off-grid', message: `${start.toFormat('HH:mm')} is not on the doctor's ${slotMinutes}-minute grid; try ${nearest.join(' or ')}.` };
  }
  if (!sameDay || endMinute > minutesOfDay(range.end) || end <= start) {
    return {
      kind: 'outside-hours',
      message: `An appointment ${start.toFormat('HH:mm')}-${end.toFormat('HH:mm')} runs past the end of the doctor's hours (${hhmm(range.start)}-${hhmm(range.end)}).`,
    };
  }
  return undefined;
}

/** The first time-off period overlapping the interval, if any. */
export function overlappingTimeoff<T extends Interval>(interval: Interval, timeoff: readonly T[]): T | undefined {
  return timeoff.find((period) => period.startsAt < interval.endsAt && period.endsAt > interval.startsAt);
}

/** Every rule about the doctor's schedule and the clock, in the order a person would want to hear them. */
export function checkSchedule(input: {
  start: DateTime;
  durationMinutes: number;
  hours: readonly WorkingRange[];
  slotMinutes: number;
  timeoff: readonly Interval[];
  now: Date;
}): ScheduleProblem | undefined {
  const end = input.start.plus({ minutes: input.durationMinutes });
  if (input.start.toMillis() < input.now.getTime()) {
    return { kind: 'past', message: `${input.start.toFormat('yyyy-MM-dd HH:mm')} is in the past.` };
  }
  const hoursProblem = checkWorkingHours(input.start, end, input.hours, input.slotMinutes);
  if (hoursProblem) return hoursProblem;
  const away = overlappingTimeoff({ startsAt: input.start.toJSDate(), endsAt: end.toJSDate() }, input.timeoff);
  if (away) {
    // On the clinic's wall clock, as the time off was entered (a whole day ends at 24:00).
    const zone = input.start.zoneName ?? 'UTC';
    return {
      kind: 'time-off',
      message: `The doctor is away from ${formatClinicDateTime(away.startsAt, zone)} to ${formatClinicDateTime(away.endsAt, zone, 'end')}.`,
    };
  }
  return undefined;
}

/**
 * The starts of a local date's slots: every grid time of every working range of that weekday
 * that exists on the clock (times in a DST gap are skipped) and whose appointment ends inside the
 * range. Not filtered for time-off, appointments or the past.
 */
export function gridStarts(date: string, zone: string, hours: readonly WorkingRange[], slotMinutes: number, durationMinutes: number): DateTime[] {
  const dayStart = startOfClinicDay(date, zone);
  const starts: DateTime[] = [];
  for (const range of hours.filter((candidate) => candidate.weekday === dayStart.weekday)) {
    for (let minute = minutesOfDay(range.start); minute + slotMinutes <= minutesOfDay(range.end); minute += slotMinutes) {
      const time = formatTimeOfDay(minute);
      let start: DateTime;
      try {
        start = toClinicInstant(date, time, zone);
      } catch {
        continue; // skipped by daylight saving
      }
      if (!checkWorkingHours(start, start.plus({ minutes: durationMinutes }), hours, slotMinutes)) starts.push(start);
    }
  }
  return starts.sort((a, b) => a.toMillis() - b.toMillis());
}

/** Whether two half-open intervals overlap ([) ranges: back-to-back is fine). */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.startsAt < b.endsAt && a.endsAt > b.startsAt;
}
