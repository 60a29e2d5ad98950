import { PassThrough } from 'node:stream';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOBALS } from '../../src/cli/globals.js';
import { Output, display, type Column } from '../../src/cli/output.js';

type Row = Record<'id' | 'who' | 'reason', string | null>;
const COLUMNS: ReadonlyArray<Column<Row>> = [
  { header: 'ID', value: (r) => r.id },
  { header: 'Who', value: (r) => r.who },
  { header: 'Reason', value: (r) => r.reason },
];

async function output(env: NodeJS.ProcessEnv = {}): Promise<Output> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  return Output.create(io, DEFAULT_GLOBALS, env);
}

/** What cli-table3 itself draws with the options the CLI used before. */
function cliTable3(out: Output, rows: readonly Row[]): string {
  const table = new Table({
    head: COLUMNS.map((c) => (out as unknown as { color: { bold(text: string): string } }).color.bold(c.header)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(COLUMNS.map((c) => display(c.value(row))));
  return table.toString();
}

const row = (i: number): Row => ({ id: `a${i}`.padEnd(8, '0'), who: `pt.someone.${i}`, reason: i % 3 === 0 ? null : `check-up ${i}` });

describe('tables', () => {
  it('look exactly as cli-table3 draws them: wide characters, empty and multi-line cells, colour', async () => {
    const rows: Row[] = [
      { id: '1', who: '日本語の名前', reason: 'a\nsecond line' },
      { id: '', who: 'José Ñúñez', reason: null },
      { id: 'three', who: 'x', reason: 'emoji 🙂 here' },
      ...Array.from({ length: 20 }, (_, i) => row(i)),
    ];
    for (const env of [{}, { FORCE_COLOR: '1' }]) {
      const out = await output(env);
      expect(out.table(rows, COLUMNS)).toBe(cliTable3(out, rows));
    }
  });

  it('take time linear in the rows: 32,000 rows take about 16 times what 2,000 take, not 256', async () => {
    const out = await output();
    const rows = Array.from({ length: 32_000 }, (_, i) => row(i));
    const time = (n: number) => {
      let best = Infinity;
      for (let trial = 0; trial < 5; trial++) {
        const started = performance.now();
        const text = out.table(rows.slice(0, n), COLUMNS);
        best = Math.min(best, performance.now() - started);
        expect(text.split('\n')).toHaveLength(n + 3);
      }
      return best;
    };
    time(500); // warm up
    const small = time(2_000);
    const large = time(32_000);
    // cli-table3 took ~0.8 s for 2,000 rows here and over a minute for 32,000. Linear is 16× (19×
    // measured on a quiet machine: 5.5 and 106 ms), quadratic 256×. Below 2,000 rows a table fits
    // the CPU's caches and runs faster per row, which made a smaller first size flaky.
    expect(large / small).toBeLessThan(96);
    expect(large).toBeLessThan(6_000);
  }, 30_000);
});
