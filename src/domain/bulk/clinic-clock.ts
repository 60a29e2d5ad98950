import { DateTime } from 'luxon';

export type LocalInstant = { instant: Date } | { problem: string };

/**
 * Converts clinic-local dates and times to instants, fast: a day without a daylight-saving change
 * has one UTC offset, found once per date; only the rare rows on a change day go through luxon.
 * A time the clocks skip does not exist (a problem); a time that happens twice is the earlier
 * instant, as `book` has it.
 */
export function clinicClock(zone: string): (date: string, hour: number, minute: number) => LocalInstant {
  const dayOffsets = new Map<string, number | null>();
  return (date, hour, minute) => {
    let offset = dayOffsets.get(date);
    if (offset === undefined) {
      offset = steadyOffset(date, zone);
      dayOffsets.set(date, offset);
    }
    const [year, month, day] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
    if (offset !== null) return { instant: new Date(Date.UTC(year, month - 1, day, hour, minute) - offset * 60_000) };
    return onChangeDay(year, month, day, hour, minute, zone);
  };
}

/** The day's UTC offset in minutes, or null when it changes during the day. */
function steadyOffset(date: string, zone: string): number | null {
  const start = DateTime.fromISO(`${date}T00:00`, { zone });
  const end = start.plus({ hours: 23, minutes: 59 });
  return start.isValid && start.offset === end.offset && start.toISODate() === date ? start.offset : null;
}

function onChangeDay(year: number, month: number, day: number, hour: number, minute: number, zone: string): LocalInstant {
  const local = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
  const wall = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  if (!local.isValid || local.hour !== hour || local.minute !== minute || local.day !== day) {
    return { problem: `${wall} does not exist in ${zone}: the clocks skip that time for daylight saving` };
  }
  const offsetBefore = local.minus({ days: 1 }).offset;
  if (offsetBefore > local.offset) {
    const earlier = local.minus({ minutes: offsetBefore - local.offset });
    if (earlier.hour === hour && earlier.minute === minute && earlier.day === day) return { instant: earlier.toJSDate() };
  }
  return { instant: local.toJSDate() };
}
