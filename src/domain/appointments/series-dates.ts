import { DateTime } from 'luxon';
import { parseClinicDate } from '../clinic-time.js';

import { MAX_OCCURRENCES, MAX_SPAN_YEARS, type Repeat } from './repeat.js';

export type SeriesEnd = { count: number } | { until: string };

/**
 * The clinic-local dates of a series, first date included: pure calendar arithmetic, so every
 * occurrence keeps the wall-clock time of the first whatever daylight saving does in between.
 * `monthly` keeps the day of the month; a month without that day (the 31st in April, the 29th of
 * February in most years) has no occurrence and does not count towards `count` (RFC 5545's rule).
 * A series over the limits is `{ problem }`, for the caller to refuse.
 */
export function seriesDates(firstDate: string, repeat: Repeat, end: SeriesEnd): { dates: string[] } | { problem: string } {
  const first = DateTime.fromObject(parseClinicDate(firstDate, 'date'), { zone: 'UTC' });
  const limit = first.plus({ years: MAX_SPAN_YEARS });
  const untilText = 'until' in end ? end.until : undefined;
  const until = untilText === undefined ? undefined : DateTime.fromObject(parseClinicDate(untilText, '--until date'), { zone: 'UTC' });
  if (until && until < first) return { problem: `--until ${untilText} is before the first occurrence (${firstDate}).` };
  if (until && until > limit) return { problem: `--until ${untilText} is more than a year after ${firstDate}: a series spans at most a year.` };
  if ('count' in end && (!Number.isInteger(end.count) || end.count < 1 || end.count > MAX_OCCURRENCES)) {
    return { problem: `--count ${end.count}: a series has from 1 to ${MAX_OCCURRENCES} occurrences.` };
  }
  const dates: string[] = [];
  for (let step = 0; ; step++) {
    const date = occurrence(first, repeat, step);
    if (date === undefined) continue;
    if (until ? date > until : date > limit) break;
    dates.push(date.toISODate()!);
    if ('count' in end && dates.length === end.count) return { dates };
    if (dates.length > MAX_OCCURRENCES) break;
  }
  if (dates.length > MAX_OCCURRENCES) return { problem: `That series has more than ${MAX_OCCURRENCES} occurrences; book at most ${MAX_OCCURRENCES} at once.` };
  if ('count' in end) return { problem: `${end.count} occurrences ${repeat} from ${firstDate} run past a year; a series spans at most a year.` };
  return { dates };
}

function occurrence(first: DateTime, repeat: Repeat, step: number): DateTime | undefined {
  switch (repeat) {
    case 'daily':
      return first.plus({ days: step });
    case 'weekly':
      return first.plus({ weeks: step });
    case 'every-2-weeks':
      return first.plus({ weeks: 2 * step });
    case 'monthly': {
      // luxon clamps Jan 31 + 1 month to Feb 28: such a month has no occurrence.
      const date = first.plus({ months: step });
      return date.day === first.day ? date : undefined;
    }
  }
}
