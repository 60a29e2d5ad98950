import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { ROOT } from '../lib/proc.js';
import { skippedSection, type Section } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';
import { formatRatio, summarize } from '../lib/stats.js';

const ROWS = 100_000;
const LIMIT = 1.5;

/** The part of bench/import.ts (written with the import itself) that this scenario relies on. */
interface ImportBenchModule {
  runImportBenchmark(
    options: { serverUrl: string; rows: number; memoryRows: number; doctors: number; patients: number; embedded: boolean; workDir: string },
    log?: (line: string) => void,
  ): Promise<{
    rows: number;
    psqlSeconds: number;
    clinicSeconds: number;
    ratio: number;
    clinicPeakMb: number;
    clinicTimeline?: { preload: number; statements: Array<{ at: number; sql: string }>; exit: number };
  }>;
}

/** Scenario 5: bulk import of 100,000 appointments against psql \copy, by bench/import.ts. */
export const bulkImport: Scenario = {
  id: 'import',
  title: '5. Import of 100,000 appointments',
  target: `\`clinic appointments import\` of ${ROWS.toLocaleString('en')} rows into PostgreSQL within ${LIMIT}× \`psql \\copy\` of the same rows.`,
  async run(ctx): Promise<Section> {
    let module: Partial<ImportBenchModule>;
    try {
      module = (await import(pathToFileURL(path.join(ROOT, 'bench', 'import.ts')).href)) as Partial<ImportBenchModule>;
    } catch (error) {
      const why =
        (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? 'is not in this build' : `failed to load: ${(error as Error).message.split('\n')[0]}`;
      return skippedSection(this.id, this.title, this.target, `bench/import.ts (the import's own benchmark, written with it) ${why}`);
    }
    if (typeof module.runImportBenchmark !== 'function') {
      return skippedSection(this.id, this.title, this.target, 'bench/import.ts does not export runImportBenchmark');
    }
    const result = await module.runImportBenchmark(
      {
        serverUrl: ctx.adminUrl,
        rows: ROWS,
        memoryRows: 0,
        doctors: 50,
        patients: 20_000,
        embedded: false,
        workDir: ctx.resources.tempDir('import'),
      },
      (line) => ctx.log(`import: ${line}`),
    );
    const once = (seconds: number) => ({ wall: summarize([seconds * 1000]), cpu: summarize([]), samples: [] });
    const met = result.ratio <= LIMIT;
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [
        { label: `psql \\copy of ${result.rows.toLocaleString('en')} rows`, measurement: once(result.psqlSeconds) },
        {
          label: `clinic appointments import of ${result.rows.toLocaleString('en')} rows (peak RSS ${Math.round(result.clinicPeakMb)} MB)`,
          measurement: once(result.clinicSeconds),
          baseline: `psql \\copy of ${result.rows.toLocaleString('en')} rows`,
        },
      ],
      verdicts: [`clinic / psql \\copy: ${formatRatio(result.ratio)} (${met ? 'met' : 'MISSED'}); target ≤ ${formatRatio(LIMIT)}`],
      details:
        (result.clinicTimeline ? `${importSteps(result.clinicTimeline, result.psqlSeconds)}\n\n` : '') +
        'Measured by `runImportBenchmark` of bench/import.ts (one run each, fresh databases, same schema, constraints and people; ' +
        'the clinic time includes starting Node, parsing the CSV and checking every row like `book`). ' +
        'Run on its own (`node --import tsx bench/import.ts`), it also measures 1,000,000 rows for memory and the embedded database, and writes bench/IMPORT.md.',
    };
  },
};

/**
 * Why the import and \copy differ: the import's statements in the order it sent them (bench/lib/sql-timeline.cjs
 * with --debug), each row the wall time until the next one was sent, beside \copy's one figure.
 */
function importSteps(timeline: { preload: number; statements: Array<{ at: number; sql: string }>; exit: number }, psqlSeconds: number): string {
  const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
  const rows = [`| Node start-up, bundle, modules, connecting (until the first statement) | ${ms(timeline.statements[0]?.at ?? timeline.exit)} |`];
  timeline.statements.forEach((statement, i) => {
    const until = timeline.statements[i + 1]?.at ?? timeline.exit;
    const sql = statement.sql.replace(/\|/g, '\\|');
    rows.push(`| ${i + 1}. \`${sql.length > 110 ? `${sql.slice(0, 110)}…` : sql}\` | ${ms(until - statement.at)} |`);
  });
  rows.push(`| whole import (to exit) | ${ms(timeline.exit)} |`, `| psql \\copy of the same rows (whole process) | ${psqlSeconds.toFixed(2)} s |`);
  return [
    'Where the import spends its time (the timed run above, with `--debug`; each statement until the next is sent). The rows are read, parsed and',
    'streamed into the staging table by COPY FROM STDIN (pg-copy-streams, not a knex statement, so it has no line of its own: it runs in the step',
    'after the staging table is created); the checks and the insert into appointments are SQL over the staged rows; \\copy only streams rows into the',
    'table, whose constraints check them.',
    '',
    '| step | wall |',
    '|---|--:|',
    ...rows,
  ].join('\n');
}
