// `npm run bench [-- --only startup,scale] [--runs N] [--out FILE] [--before FILE.json] [--no-build]`
// Builds the CLI first when dist/ is older than src/ or migrations/ (the bench times the built CLI).
// Measures the product against baselines taken in the same run and writes bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.js';
import { ROOT } from './lib/proc.js';
import { renderReport, skippedSection, withPreviousFigures, type Section } from './lib/report.js';
import { Resources } from './lib/resources.js';
import type { Scenario, ScenarioContext } from './lib/scenario.js';
import { embeddedCold, embeddedParallel, embeddedWarm } from './scenarios/embedded-server.js';
import { bulkImport } from './scenarios/import.js';
import { login } from './scenarios/login.js';
import { postgresList } from './scenarios/postgres-list.js';
import { scale } from './scenarios/scale.js';
import { startup } from './scenarios/startup.js';

const SCENARIOS: Scenario[] = [startup, postgresList, embeddedWarm, embeddedCold, embeddedParallel, login, bulkImport, scale];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'RESULTS.md') },
    'no-build': { type: 'boolean', default: false },
    // The figures shown as "before" beside the new ones (default: the committed results).
    before: { type: 'string', default: path.join(ROOT, 'bench', 'RESULTS.json') },
  },
});

const only = values.only
  ?.split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const unknown = only?.filter((name) => !SCENARIOS.some((scenario) => scenario.id === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${SCENARIOS.map((s) => s.id).join(', ')}.\n`);
  process.exit(2);
}
const runs = values.runs === undefined ? undefined : Number(values.runs);
if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1)) {
  process.stderr.write('--runs must be a positive integer.\n');
  process.exit(2);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.CLINIC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const resources = new Resources(adminUrl);
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const stop = () => {
  resources.releaseAll();
  process.exit(130);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const started = process.hrtime.bigint();
try {
  if (!values['no-build'] && buildIsStale()) {
    log('npm run build (the bench times the built CLI)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const machine = machineInfo(adminUrl);
  const ctx: ScenarioContext = { resources, adminUrl, ...(runs === undefined ? {} : { runs }), log };
  const sections: Section[] = [];
  for (const scenario of SCENARIOS) {
    if (only && !only.includes(scenario.id)) continue;
    log(`${scenario.title}…`);
    const t0 = Date.now();
    const measuredAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const loadAverage = os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
    try {
      sections.push({ ...(await scenario.run(ctx)), measuredAt, loadAverage });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? String(error);
      log(`${scenario.id} failed: ${(error as Error).stack ?? message}`);
      sections.push({ ...skippedSection(scenario.id, scenario.title, scenario.target, `failed: ${message}`), measuredAt, loadAverage });
    }
    log(`${scenario.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const jsonPath = values.out.replace(/\.md$/, '') + '.json';
  const kept = only ? previousSections(jsonPath).filter((section) => !only.includes(section.id)) : [];
  const fresh = withPreviousFigures(sections, previousSections(values.before));
  const all = SCENARIOS.map((scenario) => fresh.find((s) => s.id === scenario.id) ?? kept.find((s) => s.id === scenario.id)).filter(
    (section): section is Section => section !== undefined,
  );
  // Samples stay out of the JSON: the summaries are what the report shows.
  const stripped = all.map((section) => ({
    ...section,
    rows: section.rows.map((row) => (row.measurement ? { ...row, measurement: { ...row.measurement, samples: [] } } : row)),
  }));
  fs.writeFileSync(jsonPath, `${JSON.stringify({ machine, command, sections: stripped }, null, 2)}\n`);
  fs.writeFileSync(values.out, renderReport(machine, all, { command, totalSeconds }));
  log(`wrote ${path.relative(process.cwd(), values.out)} (${totalSeconds.toFixed(0)} s)`);
} finally {
  resources.releaseAll();
}

/** dist/clinic.cjs is missing or older than a source file it is built from. */
function buildIsStale(): boolean {
  const built = fs.statSync(path.join(ROOT, 'dist', 'clinic.cjs'), { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return true;
  const newer = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newer(full) : fs.statSync(full).mtimeMs > built;
    });
  return ['src', 'migrations', 'scripts'].some((dir) => newer(path.join(ROOT, dir)));
}

function previousSections(file: string): Section[] {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { sections: Section[] }).sections;
  } catch {
    return [];
  }
}
