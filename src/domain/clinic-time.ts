import { DateTime, IANAZone, Settings } from 'luxon';
import { ValidationError } from './errors.js';

// Messages are English (day names included), whatever the machine's locale; and asking Intl for
// the system locale loads ICU's locale data, ~10 ms of every command that touches a date.
Settings.defaultLocale = 'en-US';

/**
 * The clinic's clock, in one place: its time zone, calendar dates, times of day, and the instants
 * a clinic-local date and time name (and back). Local dates and times are the clinic's wall clock
 * (the timeZone setting); instants are absolute. Daylight saving: a time the clocks skip does not
 * exist, a time that happens twice is the earlier instant.
 */

export function isValidTimeZone(zone: string): boolean {
  return zone.length > 0 && IANAZone.isValidZone(zone);
}

/** The IANA zones this runtime knows, UTC included, in alphabetical order: what `init` offers to pick from. */
export function knownTimeZones(): string[] {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));
  zones.add('UTC');
  return [...zones].filter(isValidTimeZone).sort();
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{1,2}):(\d{2})$/;

/** The parts of text of the form `YYYY-MM-DD`, else undefined; whether that day exists is isCalendarDate's question. */
export function dateParts(text: string): CalendarDate | undefined {
  const match = DATE.exec(text);
  return match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
}

/** Whether the day is in the (proleptic Gregorian) calendar: 2027-02-29 is not. */
export function isCalendarDate({ year, month, day }: CalendarDate): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday({ year, month, day }: CalendarDate): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCDay() === 0 ? 7 : date.getUTCDay();
}

/** `HH:MM` → minutes after midnight, for working hours: `24:00` is allowed as the end of a day. */
export function parseTimeOfDay(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text.trim());
  const hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) {
    throw new ValidationError(`"${text.trim()}" is not a time of day.`, { remedy: 'Write times as HH:MM, from 00:00 to 24:00.' });
  }
  return hours * 60 + minutes;
}

/** A stored time of day (`HH:MM` or `HH:MM:SS`) as minutes after midnight; input is checked by parseClinicTime. */
export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Minutes after midnight as `HH:MM` (1440 is `24:00`, the end of a day). */
export function formatTimeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD' → its parts; exit 3 for anything that is not a real calendar date. */
export function parseClinicDate(date: string, label = 'date'): CalendarDate {
  const parts = dateParts(date.trim());
  if (!parts || !isCalendarDate(parts)) {
    throw new ValidationError(`Invalid ${label} "${date}": use YYYY-MM-DD, e.g. 2027-01-04.`);
  }
  return parts;
}

/** The hour and minute of `H:MM` or `HH:MM` on the 24-hour clock, else undefined. */
export function timeParts(text: string): { hour: number; minute: number } | undefined {
  const match = TIME.exec(text);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  return match && hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

/** 'HH:MM' (24-hour clock) → its parts; exit 3 otherwise. */
export function parseClinicTime(time: string): { hour: number; minute: number } {
  const parts = timeParts(time.trim());
  if (!parts) throw new ValidationError(`Invalid time "${time}": use HH:MM on the 24-hour clock, e.g. 09:30.`);
  return parts;
}

/**
 * The instant a clinic-local date and time names. A time skipped by a daylight-saving change does
 * not exist: ValidationError. A time that happens twice (clocks going back) is the EARLIER one.
 */
export function toClinicInstant(date: string, time: string, zone: string): DateTime {
  const day = parseClinicDate(date);
  const clock = parseClinicTime(time);
  const local = DateTime.fromObject({ ...day, ...clock }, { zone });
  if (!local.isValid) throw new ValidationError(`Invalid date and time "${date} ${time}" in ${zone}.`);
  if (local.hour !== clock.hour || local.minute !== clock.minute || local.day !== day.day) {
    throw new ValidationError(`${date} ${time} does not exist in ${zone}: the clocks skip that time for daylight saving.`, {
      remedy: 'Choose a time outside the skipped hour.',
    });
  }
  // Luxon picks the later of two possible offsets; prefer the earlier one when it names the same wall time.
  const offsetBefore = local.minus({ days: 1 }).offset;
  if (offsetBefore > local.offset) {
    const earlier = local.minus({ minutes: offsetBefore - local.offset });
    if (earlier.hour === clock.hour && earlier.minute === clock.minute && earlier.day === day.day) return earlier;
  }
  return local;
}

/** The start of a clinic-local day as an instant (the first instant of that date). */
export function startOfClinicDay(date: string, zone: string): DateTime {
  return DateTime.fromObject(parseClinicDate(date), { zone }).startOf('day');
}

/** 'YYYY-MM-DD' of an instant in the clinic's zone; of `ctx.now()`, the clinic's today. */
export function clinicDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/** 'HH:MM' of an instant in the clinic's zone. */
export function clinicTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm');
}

/**
 * Reads `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` as a moment in the clinic's time zone. A date alone
 * means the start of that day (`bound: 'start'`) or the end of it, i.e. 00:00 of the next day
 * (`bound: 'end'`). A local time that does not exist (skipped by a DST change) is invalid input.
 */
export function parseClinicDateTime(text: string, zone: string, bound: 'start' | 'end', field: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!match) {
    throw new ValidationError(`Invalid ${field}: "${text}" is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).`);
  }
  const [, year, month, day, hour, minute] = match;
  if (!isCalendarDate({ year: Number(year), month: Number(month), day: Number(day) }))
    throw new ValidationError(`Invalid ${field}: ${year}-${month}-${day} is not a date.`);
  if (hour === undefined) {
    const date = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day) }, { zone });
    return (bound === 'end' ? date.plus({ days: 1 }) : date).startOf('day').toJSDate();
  }
  const local = { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute) };
  const moment = DateTime.fromObject(local, { zone });
  if (!moment.isValid || local.hour > 23 || local.minute > 59) {
    throw new ValidationError(`Invalid ${field}: ${hour}:${minute} is not a time of day.`);
  }
  // Luxon moves a time inside a DST gap forward; if the wall clock changed, the time never happened.
  if (moment.hour !== local.hour || moment.minute !== local.minute) {
    throw new ValidationError(`Invalid ${field}: ${text.trim()} does not exist in ${zone} (the clocks skip it).`, {
      remedy: 'Pick a time outside the daylight-saving change.',
    });
  }
  return moment.toJSDate();
}

/**
 * A moment as `YYYY-MM-DD HH:MM` on the clinic's wall clock. The end of a range that falls on
 * midnight reads as 24:00 of the day before, as people wrote it (`--to 2026-12-26`).
 */
export function formatClinicDateTime(moment: Date, zone: string, bound: 'start' | 'end' = 'start'): string {
  const local = DateTime.fromJSDate(moment, { zone });
  if (bound === 'end' && local.hour === 0 && local.minute === 0) return `${local.minus({ days: 1 }).toFormat('yyyy-MM-dd')} 24:00`;
  return local.toFormat('yyyy-MM-dd HH:mm');
}

export type LocalInstant = { instant: Date } | { problem: string };

/**
 * Converts clinic-local dates and times to instants, fast: a day without a daylight-saving change
 * has one UTC offset, found once per date; only the rare rows on a change day go through luxon.
 * The rules are those of `book`: a time the clocks skip does not exist, a time that happens twice
 * is the earlier instant.
 */
export function clinicClock(zone: string): (date: string, hour: number, minute: number) => LocalInstant {
  const dayOffsets = new Map<string, number | null>();
  return (date, hour, minute) => {
    let offset = dayOffsets.get(date);
    if (offset === undefined) {
      offset = steadyOffset(date, zone);
      dayOffsets.set(date, offset);
    }
    if (offset === null) return onChangeDay(date, hour, minute, zone);
    const [year, month, day] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
    return { instant: new Date(Date.UTC(year, month - 1, day, hour, minute) - offset * 60_000) };
  };
}

/** The day's UTC offset in minutes, or null when it changes during the day. */
function steadyOffset(date: string, zone: string): number | null {
  const start = DateTime.fromISO(`${date}T00:00`, { zone });
  const end = start.plus({ hours: 23, minutes: 59 });
  return start.isValid && start.offset === end.offset && start.toISODate() === date ? start.offset : null;
}

/** A day when the clocks change: the rules of `book` (toClinicInstant) decide. */
function onChangeDay(date: string, hour: number, minute: number, zone: string): LocalInstant {
  try {
    return { instant: toClinicInstant(date, formatTimeOfDay(hour * 60 + minute), zone).toJSDate() };
  } catch (error) {
    if (error instanceof ValidationError) return { problem: error.message.replace(/\.$/, '') };
    throw error;
  }
}
