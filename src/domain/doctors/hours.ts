import { formatTimeOfDay, parseTimeOfDay } from '../clinic-time.js';
import { ValidationError } from '../errors.js';

/**
 * Weekly working hours as people type them (`mon-fri`, `09:00-12:00,13:00-17:00`, `off`) and as
 * commands show them. Pure: no database, no clock. Weekdays are ISO (1 = Monday ... 7 = Sunday).
 */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof DAY_NAMES)[number];

const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** A working range within one day, in minutes after midnight: start < end <= 1440. */
export interface TimeRange {
  start: number;
  end: number;
}

/** How `doctors show` and `doctors hours show` give the week in JSON: all seven days, days off with no ranges. */
export interface DayHours {
  day: DayName;
  ranges: string[];
}

export function dayName(weekday: number): DayName {
  const name = DAY_NAMES[weekday - 1];
  if (!name) throw new RangeError(`weekday ${weekday} is not 1..7`);
  return name;
}

function weekdayOf(token: string): number {
  const name = token.trim().toLowerCase();
  const index = DAY_NAMES.indexOf(name as DayName);
  const full = FULL_DAY_NAMES.indexOf(name);
  if (index >= 0) return index + 1;
  if (full >= 0) return full + 1;
  throw new ValidationError(`Unknown day "${token.trim()}".`, {
    remedy: `Days are ${DAY_NAMES.join(', ')}; write ranges like mon-fri and lists like mon,wed.`,
  });
}

/** `mon-fri`, `mon,wed`, `sat`, `mon-wed,fri` → sorted ISO weekdays without repeats. */
export function parseDays(text: string): number[] {
  if (text.trim() === '') throw new ValidationError('No days given.', { remedy: 'Write days like mon-fri, mon,wed or sat.' });
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const bounds = part.split('-');
    if (bounds.length === 1) {
      days.add(weekdayOf(bounds[0]!));
    } else if (bounds.length === 2) {
      const first = weekdayOf(bounds[0]!);
      const last = weekdayOf(bounds[1]!);
      if (last < first) {
        throw new ValidationError(`The day range "${part.trim()}" runs backwards.`, { remedy: 'Weeks run mon to sun: write fri-sun,mon rather than fri-mon.' });
      }
      for (let day = first; day <= last; day++) days.add(day);
    } else {
      throw new ValidationError(`"${part.trim()}" is not a day or a range of days.`, { remedy: 'Write days like mon-fri, mon,wed or sat.' });
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** `09:00-12:00,13:00-17:00` → sorted ranges; `off` → none. Inverted or overlapping ranges are refused; touching ones are fine. */
export function parseRanges(text: string): TimeRange[] {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'off') return [];
  if (trimmed === '') throw new ValidationError('No hours given.', { remedy: 'Write ranges like 09:00-12:00,13:00-17:00, or off.' });
  const ranges = trimmed.split(',').map((part) => {
    const bounds = part.split('-');
    if (bounds.length !== 2) {
      throw new ValidationError(`"${part.trim()}" is not a range of hours.`, { remedy: 'Write ranges like 09:00-12:00,13:00-17:00, or off.' });
    }
    const range = { start: parseTimeOfDay(bounds[0]!), end: parseTimeOfDay(bounds[1]!) };
    if (range.end <= range.start) {
      throw new ValidationError(`The range "${part.trim()}" ends before it starts.`, { remedy: 'Write the earlier time first, e.g. 09:00-17:00.' });
    }
    return range;
  });
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1]!;
    const current = ranges[i]!;
    if (current.start < previous.end) {
      throw new ValidationError(`The ranges ${formatRange(previous)} and ${formatRange(current)} overlap.`, { remedy: 'Give each hour of the day once.' });
    }
  }
  return ranges;
}

export function formatRange(range: TimeRange): string {
  return `${formatTimeOfDay(range.start)}-${formatTimeOfDay(range.end)}`;
}

/** `[1,2,3,4,5]` → `mon-fri`; `[1,3,6]` → `mon,wed,sat`. The inverse of parseDays. */
export function formatDays(weekdays: readonly number[]): string {
  const sorted = [...new Set(weekdays)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const first = dayName(sorted[i]!);
    parts.push(j === i ? first : j === i + 1 ? `${first},${dayName(sorted[j]!)}` : `${first}-${dayName(sorted[j]!)}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The inverse of parseRanges: `off` for no ranges. */
export function formatRanges(ranges: readonly TimeRange[]): string {
  return ranges.length === 0 ? 'off' : ranges.map(formatRange).join(',');
}

/** Rows of `doctor_hours` (times as 'HH:MM:SS' or 'HH:MM') → the seven days of the week. */
export function weekFromRows(rows: ReadonlyArray<{ weekday: number; start_time: string; end_time: string }>): DayHours[] {
  return DAY_NAMES.map((day, index) => ({
    day,
    ranges: rows
      .filter((row) => row.weekday === index + 1)
      .map((row) => ({ start: parseTimeOfDay(row.start_time.slice(0, 5)), end: parseTimeOfDay(row.end_time.slice(0, 5)) }))
      .sort((a, b) => a.start - b.start)
      .map(formatRange),
  }));
}
