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
  ): Promise<{ rows: number; psqlSeconds: number; clinicSeconds: number; ratio: number; clinicPeakMb: number }>;
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
        'Measured by `runImportBenchmark` of bench/import.ts (one run each, fresh databases, same schema, constraints and people; ' +
        'the clinic time includes starting Node, parsing the CSV and checking every row like `book`). ' +
        'Run on its own (`node --import tsx bench/import.ts`), it also measures 1,000,000 rows for memory and the embedded database, and writes bench/IMPORT.md.',
    };
  },
};
