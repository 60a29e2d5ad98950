import { DateTime } from 'luxon';
import type { DomainContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { clinicTimeZone } from '../settings/service.js';

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
  const date = DateTime.fromObject({ year: Number(year), month: Number(month), day: Number(day) }, { zone });
  if (!date.isValid) throw new ValidationError(`Invalid ${field}: ${year}-${month}-${day} is not a date.`);
  if (hour === undefined) {
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

/** Today's date on the clinic's wall clock, as `YYYY-MM-DD`. */
export function clinicToday(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

/** A formatter of moments on the clinic's wall clock, for rendering lists. */
export async function clinicWallClock(ctx: Pick<DomainContext, 'db'>): Promise<(moment: Date, bound?: 'start' | 'end') => string> {
  const zone = await clinicTimeZone(ctx);
  return (moment, bound) => formatClinicDateTime(moment, zone, bound);
}
