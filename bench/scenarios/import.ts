import path from 'node:path';
import { ROOT } from '../lib/proc.js';
import { skippedSection, type Section } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';

/** Scenario 5: bulk import of 100,000 appointments against psql \copy (bench/import.ts, by the import's author). */
export const bulkImport: Scenario = {
  id: 'import',
  title: '5. Import of 100,000 appointments',
  target: '`clinic appointments import` of 100,000 rows within 1.5× `psql \\copy` of the same rows.',
  async run(): Promise<Section> {
    return skippedSection(this.id, this.title, this.target, `bench/import.ts is not merged yet (${path.relative(ROOT, path.join(ROOT, 'bench', 'import.ts'))})`);
  },
};
