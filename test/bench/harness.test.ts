import { describe, expect, it } from 'vitest';
import { LAST_DAY, clinicSql, firstDay, sampleMonday } from '../../bench/lib/datagen.js';
import { executionTime, isSelect, sequentialScans } from '../../bench/lib/queries.js';
import { renderTable } from '../../bench/lib/report.js';
import { formatMs, median, ratio, summarize } from '../../bench/lib/stats.js';

describe('bench statistics', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('summarizes samples without reordering the caller’s array', () => {
    const samples = [30, 10, 20];
    expect(summarize(samples)).toEqual({ runs: 3, median: 20, min: 10, max: 30, mean: 20 });
    expect(samples).toEqual([30, 10, 20]);
  });

  it('gives no ratio against a missing or zero baseline', () => {
    expect(ratio(30, 20)).toBe(1.5);
    expect(ratio(30, 0)).toBeNaN();
    expect(ratio(30, Number.NaN)).toBeNaN();
  });

  it('formats durations with a sensible precision', () => {
    expect(formatMs(3.456)).toBe('3.46 ms');
    expect(formatMs(45.67)).toBe('45.7 ms');
    expect(formatMs(456.7)).toBe('457 ms');
    expect(formatMs(4567)).toBe('4.57 s');
    expect(formatMs(Number.NaN)).toBe('–');
  });

  it('renders ratios against the named baseline row, and skipped rows with their reason', () => {
    const measurement = (wall: number, cpu: number) => ({ wall: summarize([wall]), cpu: summarize([cpu]), samples: [] });
    const table = renderTable({
      id: 't',
      title: 'T',
      target: '',
      verdicts: [],
      rows: [
        { label: 'base', measurement: measurement(100, 40) },
        { label: 'product', measurement: measurement(150, 60), baseline: 'base' },
        { label: 'later', skipped: 'not merged | yet' },
      ],
    });
    expect(table).toContain('| product | 1 | 150 ms | 150 ms – 150 ms | 60.0 ms | 60.0 ms – 60.0 ms | 1.50× | 1.50× |');
    expect(table).toContain('skipped: not merged \\| yet');
  });
});

describe('bench data generator', () => {
  const shape = { doctors: 50, patients: 20_000, appointments: 1_000_000 };

  it('starts the calendar early enough for every appointment to fit before the last day', () => {
    const workingDays = Math.ceil(shape.appointments / (shape.doctors * 12));
    let counted = 0;
    for (let day = new Date(`${firstDay(shape)}T00:00:00Z`); day <= new Date(`${LAST_DAY}T00:00:00Z`); day.setUTCDate(day.getUTCDate() + 1)) {
      if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) counted++;
    }
    expect(counted).toBe(workingDays);
  });

  it('picks a Monday inside the calendar: the next one when it fits, else the middle one', () => {
    expect(sampleMonday(shape, new Date('2026-11-25T12:00:00Z'))).toBe('2026-11-30');
    const late = sampleMonday(shape, new Date('2030-01-01T00:00:00Z'));
    expect(new Date(`${late}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(late > firstDay(shape) && late < LAST_DAY).toBe(true);
  });

  it('refuses sizes that would break the no-overlap construction', () => {
    expect(() => clinicSql({ doctors: 10, patients: 5, appointments: 100 })).toThrow(/patients/);
    expect(() => clinicSql({ doctors: 1.5, patients: 5, appointments: 100 })).toThrow(/doctors/);
  });
});

describe('bench plan checks', () => {
  it('finds sequential scans on the large tables only', () => {
    const plan = 'Hash Join\n  -> Seq Scan on appointments a\n  -> Seq Scan on settings\nExecution Time: 12.5 ms';
    expect(sequentialScans(plan, ['appointments', 'users'])).toEqual(['appointments']);
    expect(executionTime(plan)).toBe(12.5);
  });

  it('tells reads from writes', () => {
    expect(isSelect('select * from users')).toBe(true);
    expect(isSelect('WITH x AS (SELECT 1) SELECT * FROM x')).toBe(true);
    expect(isSelect('insert into audit_log (action) values ($1)')).toBe(false);
    expect(isSelect('WITH moved AS (UPDATE appointments SET status = $1 RETURNING id) SELECT * FROM moved')).toBe(false);
  });
});

describe('bench process probe', () => {
  it("reports a child's own peak memory, not what the bench itself holds when it spawns it", { timeout: 30_000 }, async () => {
    const { nodeProcess, runChecked } = await import('../../bench/lib/proc.js');
    // The bench holding 300 MB (every page touched), as it does after generating a data set.
    const held = Buffer.alloc(300 * 1024 * 1024, 1);
    const sample = await runChecked(nodeProcess(['-e', 'Buffer.alloc(64 * 1024 * 1024, 1)']));
    expect(held.length).toBeGreaterThan(0);
    // node -e plus 64 MB of its own: well under what the parent holds, well over an idle node.
    expect(sample.peakRssMb).toBeGreaterThan(64);
    expect(sample.peakRssMb).toBeLessThan(200);
  });
});
