import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { clinicDate, clinicTime, parseClinicDate, parseClinicTime, parseTimeOfDay, toClinicInstant } from '../../src/domain/clinic-time.js';
import { formatDays, formatRanges, parseDays, parseRanges, type TimeRange } from '../../src/domain/doctors/hours.js';
import { ValidationError } from '../../src/domain/errors.js';
import { parseExpiresIn } from '../../src/domain/identity/api-tokens.js';

/**
 * Property-based tests (fast-check, fixed seed so a failure replays) of the parsers people type
 * dates, times and ranges into. Every parser either returns a well-formed value or throws a
 * ValidationError (exit 3) — never anything else.
 */
const RUNS = 500;
const SEED = 20261125;
const params = { numRuns: RUNS, seed: SEED };

/** Either a value or a ValidationError; any other exception fails the property. */
function attempt<T>(parse: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { ok: false };
  }
}

const DAY_TOKENS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Sorted, non-overlapping (touching allowed) ranges inside 00:00–24:00. */
const validRanges = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 10 }).chain((points) => {
  const sorted = [...points].sort((a, b) => a - b);
  const pairs: TimeRange[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push({ start: sorted[i]!, end: sorted[i + 1]! });
  return fc.constant(pairs);
});

describe('doctors hours parsers (property-based)', () => {
  it('parseDays ∘ formatDays is the identity on any non-empty set of weekdays', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), (days) => {
        expect(parseDays(formatDays(days))).toEqual([...days].sort((a, b) => a - b));
      }),
      params,
    );
  });

  it('parseDays of any list of days and forward ranges is their union, in any case and spacing', () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 6 }).map((d) => ({ text: DAY_TOKENS[d]!, days: [d + 1] })),
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })).map(([a, b]) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return { text: `${DAY_TOKENS[lo]}-${DAY_TOKENS[hi]}`, days: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i + 1) };
      }),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), fc.boolean(), (parts, upper) => {
        const text = parts.map((p) => ` ${upper ? p.text.toUpperCase() : p.text} `).join(',');
        expect(parseDays(text)).toEqual([...new Set(parts.flatMap((p) => p.days))].sort((a, b) => a - b));
      }),
      params,
    );
  });

  it('a backwards day range is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (a, b) => {
        fc.pre(a > b);
        expect(() => parseDays(`${DAY_TOKENS[a]}-${DAY_TOKENS[b]}`)).toThrow(ValidationError);
      }),
      params,
    );
  });

  it('parseRanges ∘ formatRanges is the identity on sorted, non-overlapping ranges (touching allowed)', () => {
    fc.assert(
      fc.property(validRanges, (ranges) => {
        expect(parseRanges(formatRanges(ranges))).toEqual(ranges);
      }),
      params,
    );
  });

  it('parseRanges sorts ranges given in any order', () => {
    fc.assert(
      fc.property(
        validRanges.chain((ranges) =>
          fc.shuffledSubarray(ranges, { minLength: ranges.length, maxLength: ranges.length }).map((shuffled) => [ranges, shuffled] as const),
        ),
        ([ranges, shuffled]) => {
          expect(parseRanges(shuffled.map((r) => `${hhmm(r.start)}-${hhmm(r.end)}`).join(','))).toEqual(ranges);
        },
      ),
      params,
    );
  });

  it('overlapping ranges are refused, whatever their order', () => {
    const overlapping = fc
      .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 }))
      .filter(([s1, e1, s2, e2]) => s1 < e1 && s2 < e2 && s1 < e2 && s2 < e1);
    fc.assert(
      fc.property(overlapping, fc.boolean(), ([s1, e1, s2, e2], swap) => {
        const a = `${hhmm(s1)}-${hhmm(e1)}`;
        const b = `${hhmm(s2)}-${hhmm(e2)}`;
        expect(() => parseRanges(swap ? `${b},${a}` : `${a},${b}`)).toThrow(ValidationError);
      }),
      params,
    );
  });

  it('inverted and empty ranges are refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 0, max: 1440 }), (start, end) => {
        fc.pre(end <= start);
        expect(() => parseRanges(`${hhmm(start)}-${hhmm(end)}`)).toThrow(ValidationError);
      }),
      params,
    );
  });

  it('any text: a well-formed result or a ValidationError, never anything else', () => {
    const noisy = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9:,\- offOFF]{0,30}$/), fc.stringMatching(/^[a-zA-Z,\- ]{0,30}$/));
    fc.assert(
      fc.property(noisy, (text) => {
        const ranges = attempt(() => parseRanges(text));
        if (ranges.ok) {
          for (const [i, r] of ranges.value.entries()) {
            expect(r.start).toBeGreaterThanOrEqual(0);
            expect(r.end).toBeLessThanOrEqual(1440);
            expect(r.start).toBeLessThan(r.end);
            if (i > 0) expect(r.start).toBeGreaterThanOrEqual(ranges.value[i - 1]!.end);
          }
        }
        const days = attempt(() => parseDays(text));
        if (days.ok) {
          expect(days.value.length).toBeGreaterThan(0);
          expect(days.value.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)).toBe(true);
        }
        const time = attempt(() => parseTimeOfDay(text));
        if (time.ok) expect(time.value >= 0 && time.value <= 1440).toBe(true);
      }),
      { ...params, numRuns: 2000 },
    );
  });
});

const ZONES = ['UTC', 'Europe/Lisbon', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Sao_Paulo', 'Pacific/Chatham', 'Europe/London'];

/** An independent oracle: the UTC instants whose wall clock in `zone` reads `date time`. */
function wallClockInstants(date: string, time: string, zone: string): number[] {
  const naiveUtc = DateTime.fromISO(`${date}T${time}`, { zone: 'UTC' }).toMillis();
  const offsets = new Set<number>();
  for (const h of [-36, -18, -6, 0, 6, 18, 36]) offsets.add(DateTime.fromMillis(naiveUtc + h * 3_600_000, { zone }).offset);
  const instants = [...offsets]
    .map((offset) => naiveUtc - offset * 60_000)
    .filter((ms) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") === `${date}T${time}`);
  return [...new Set(instants)].sort((a, b) => a - b);
}

describe('appointment date and time in the clinic time zone (property-based)', () => {
  const localDateTime = fc.record({
    zone: fc.constantFrom(...ZONES),
    day: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }),
    minute: fc.integer({ min: 0, max: 1439 }),
  });

  it('a local time that exists round-trips (and a repeated one is the earlier instant); one that does not is exit 3', () => {
    fc.assert(
      fc.property(localDateTime, ({ zone, day, minute }) => {
        const date = day.toISOString().slice(0, 10);
        const time = hhmm(minute);
        const truth = wallClockInstants(date, time, zone);
        const result = attempt(() => toClinicInstant(date, time, zone));
        if (truth.length === 0) {
          expect(result.ok, `${date} ${time} ${zone} does not exist but was accepted`).toBe(false);
        } else {
          expect(result.ok, `${date} ${time} ${zone} exists but was refused`).toBe(true);
          if (!result.ok) return;
          const instant = result.value.toJSDate();
          expect(instant.getTime()).toBe(truth[0]);
          expect(clinicDate(instant, zone)).toBe(date);
          expect(clinicTime(instant, zone)).toBe(time);
        }
      }),
      { ...params, numRuns: 1000 },
    );
  });

  it('every minute from 00:00 to 05:00 of the DST change days of several zones: gaps refused, the rest round-trips', () => {
    const days: Array<[string, string]> = [
      ['America/New_York', '2027-03-14'],
      ['America/New_York', '2027-11-07'],
      ['Europe/Lisbon', '2027-03-28'],
      ['Europe/Lisbon', '2027-10-31'],
      ['Australia/Lord_Howe', '2027-10-03'],
      ['Pacific/Chatham', '2027-09-26'],
    ];
    let refused = 0;
    for (const [zone, date] of days) {
      for (let minute = 0; minute < 300; minute++) {
        const time = hhmm(minute);
        const truth = wallClockInstants(date, time, zone);
        const result = attempt(() => toClinicInstant(date, time, zone));
        expect(result.ok, `${zone} ${date} ${time}`).toBe(truth.length > 0);
        if (result.ok) expect(result.value.toMillis()).toBe(truth[0]);
        else refused++;
      }
    }
    // 60 skipped minutes in New York, Lisbon, Chatham; 30 on Lord Howe
    expect(refused).toBe(60 + 60 + 30 + 60);
  });

  it('dates and times: a real calendar value or exit 3', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), fc.stringMatching(/^\d{1,2}:\d{2}$/)), (text) => {
        const date = attempt(() => parseClinicDate(text));
        if (date.ok) expect(DateTime.fromObject(date.value, { zone: 'UTC' }).isValid).toBe(true);
        const time = attempt(() => parseClinicTime(text));
        if (time.ok) expect(time.value.hour <= 23 && time.value.minute <= 59).toBe(true);
      }),
      { ...params, numRuns: 2000 },
    );
  });
});

describe('tokens --expires-in (property-based)', () => {
  const UNIT = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
  const FIVE_YEARS = 5 * 366 * 86_400_000;

  it('N h/d/w is exactly N units from now, up to five years; beyond is exit 3', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999 }), fc.constantFrom('h', 'd', 'w'), fc.boolean(), (n, unit, upper) => {
        const now = new Date('2026-11-25T12:00:00Z');
        const text = `${n}${upper ? unit.toUpperCase() : unit}`;
        const ms = n * UNIT[unit as keyof typeof UNIT];
        const result = attempt(() => parseExpiresIn(text, now));
        if (n > 0 && ms <= FIVE_YEARS) {
          expect(result.ok, text).toBe(true);
          if (result.ok) expect(result.value?.getTime()).toBe(now.getTime() + ms);
        } else {
          expect(result.ok, text).toBe(false);
        }
      }),
      params,
    );
  });

  it('any text: never, a future date, or exit 3', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        const now = new Date('2026-11-25T12:00:00Z');
        const result = attempt(() => parseExpiresIn(text, now));
        if (result.ok && result.value !== null) expect(result.value.getTime()).toBeGreaterThan(now.getTime());
        if (result.ok && result.value === null) expect(text.trim().toLowerCase()).toBe('never');
      }),
      { ...params, numRuns: 2000 },
    );
  });
});
