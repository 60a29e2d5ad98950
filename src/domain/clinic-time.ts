import { DateTime } from 'luxon';
import { toClinicInstant } from './appointments/rules.js';
import { ValidationError } from './errors.js';

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
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  try {
    return { instant: toClinicInstant(date, time, zone).toJSDate() };
  } catch (error) {
    if (error instanceof ValidationError) return { problem: error.message.replace(/\.$/, '') };
    throw error;
  }
}
