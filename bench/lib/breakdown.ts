import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked, type ProcessSpec } from './proc.js';

const SQL_TIMELINE = fileURLToPath(new URL('./sql-timeline.cjs', import.meta.url));

/**
 * Where one command's time goes, for a target it misses: a CPU profile (`node --cpu-prof`) split
 * into Node's start-up, reading and deserializing the bundle, evaluating each package's modules,
 * running the command and garbage collection; and a timeline of its statements (`--debug`, each
 * one's wall time up to the next one). The profiler slows the process, so the CPU split is given
 * in shares, and in ms as those shares of the CPU median measured without it (`cpuMedianMs`).
 */
export async function breakdown(spec: ProcessSpec, cpuMedianMs: number, runs = 3): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-profile-'));
  try {
    const shares: Array<Map<string, number>> = [];
    for (let i = 0; i < runs; i++) {
      const profileDir = path.join(dir, String(i));
      await runChecked({ ...spec, args: ['--cpu-prof', '--cpu-prof-dir', profileDir, ...spec.args] });
      const [file] = fs.readdirSync(profileDir);
      shares.push(profileShares(JSON.parse(fs.readFileSync(path.join(profileDir, file!), 'utf8')) as CpuProfile));
    }
    const timelines: Timeline[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) {
      const file = path.join(dir, `sql-${i}.json`);
      await runChecked({ ...spec, args: ['--require', SQL_TIMELINE, ...spec.args, '--debug'], env: { ...spec.env, BENCH_SQL_FILE: file } });
      timelines.push(JSON.parse(fs.readFileSync(file, 'utf8')) as Timeline);
    }
    return `${cpuTable(shares, cpuMedianMs)}\n\n${statementTable(timelines)}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

interface Timeline {
  preload: number;
  statements: Array<{ at: number; sql: string }>;
  exit: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};

/** esbuild names each module's lazy initializer after its path: `…/node_modules/knex/lib/client.js`, `src/cli/run.ts`. */
const PACKAGE_MODULE = /node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const OWN_MODULE = /^src\//;

/** The category of one sample: its innermost module initializer, else what its stack is inside. */
function categorize(stack: Array<{ functionName: string; url: string }>): string {
  const leaf = stack[0]!;
  if (leaf.functionName === '(idle)') return 'idle';
  if (leaf.functionName === '(garbage collector)') return 'garbage collection';
  for (const frame of stack) {
    if (!frame.url.endsWith('clinic.cjs')) continue;
    const pkg = PACKAGE_MODULE.exec(frame.functionName);
    if (pkg) return `evaluating ${pkg[1]}`;
    if (OWN_MODULE.test(frame.functionName)) return "evaluating clinic's own modules";
  }
  for (const frame of stack) {
    if (frame.url.endsWith('clinic.cjs')) return 'running the command (clinic and package code, after evaluation)';
    if (frame.functionName === 'writeCache') return 'writing the code cache (first run of a build only)';
    if (frame.functionName === 'loadWithCodeCache' || frame.functionName === 'answerHelp') return 'reading the bundle, deserializing its code cache';
    if (frame.url.endsWith('clinic.js')) return 'the launcher (bin/clinic.js)';
  }
  return 'Node start-up, built-in modules and native code';
}

function profileShares(profile: CpuProfile): Map<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const time = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stack = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    const category = categorize(stack);
    time.set(category, (time.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  time.delete('idle');
  const busy = [...time.values()].reduce((a, b) => a + b, 0);
  return new Map([...time].map(([category, us]) => [category, us / busy]));
}

function cpuTable(shares: Array<Map<string, number>>, cpuMedianMs: number): string {
  const categories = [...new Set(shares.flatMap((run) => [...run.keys()]))];
  const rows = categories
    .map((category) => ({ category, share: median(shares.map((run) => run.get(category) ?? 0)) }))
    .filter((row) => row.share >= 0.005)
    .sort((a, b) => b.share - a.share);
  const lines = rows.map((row) => `| ${row.category} | ${(row.share * 100).toFixed(0)} % | ${(row.share * cpuMedianMs).toFixed(1)} ms |`);
  return [
    `CPU profile (\`node --cpu-prof\`, median share of ${shares.length} profiled runs; ms = share × the ${cpuMedianMs.toFixed(1)} ms CPU median above):`,
    '',
    '| where the CPU goes | share | ≈ ms |',
    '|---|--:|--:|',
    ...lines,
  ].join('\n');
}

function statementTable(timelines: Timeline[]): string {
  const count = median(timelines.map((t) => t.statements.length));
  const same = timelines.filter((t) => t.statements.length === count);
  const rows: string[] = [];
  rows.push(`| Node start-up (until preloads run) | ${median(same.map((t) => t.preload)).toFixed(1)} ms |`);
  rows.push(
    `| launcher, bundle, modules, connecting, until the first statement | ${median(same.map((t) => (t.statements[0]?.at ?? t.exit) - t.preload)).toFixed(1)} ms |`,
  );
  let statementsTotal = 0;
  for (let i = 0; i < count; i++) {
    const ms = median(same.map((t) => (t.statements[i + 1]?.at ?? t.exit) - t.statements[i]!.at));
    statementsTotal += ms;
    const sql = same[0]!.statements[i]!.sql.replace(/\|/g, '\\|');
    rows.push(`| ${i + 1}. \`${sql.length > 90 ? `${sql.slice(0, 90)}…` : sql}\` | ${ms.toFixed(1)} ms |`);
  }
  rows.push(`| whole run (to exit) | ${median(same.map((t) => t.exit)).toFixed(1)} ms |`);
  return [
    `Statements (\`--debug\`, median of ${same.length} runs): ${count}, ≈ ${statementsTotal.toFixed(1)} ms from the first one being sent to the exit. ` +
      'Each row is the wall time from sending that statement to sending the next (its round trip and what the command does with its answer); the last one runs to the exit.',
    '',
    '| step | wall |',
    '|---|--:|',
    ...rows,
  ].join('\n');
}
