import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Summary } from './stats.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLINIC_BIN = path.join(ROOT, 'bin', 'clinic.js');
const CPU_PROBE = fileURLToPath(new URL('./cpu-probe.cjs', import.meta.url));

/** One process to time: `node` processes get the CPU probe preloaded. */
export interface ProcessSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Exit codes that count as success (default: 0 only). */
  okCodes?: number[];
}

export interface Sample {
  wallMs: number;
  /** user + system CPU of the child, in ms. */
  cpuMs: number;
  /** Peak resident memory of a Node child (the probe's maxRSS), in MB; NaN for other programs. */
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node ARGS` as a ProcessSpec, with the probe that reports its own CPU time precisely. */
export function nodeProcess(args: string[], options: Omit<ProcessSpec, 'command' | 'args'> = {}): ProcessSpec {
  return { command: process.execPath, args: ['--require', CPU_PROBE, ...args], ...options };
}

export function clinicProcess(args: string[], options: Omit<ProcessSpec, 'command' | 'args'> = {}): ProcessSpec {
  return nodeProcess([CLINIC_BIN, ...args], options);
}

/** A minimal environment, so that the user's own clinic settings never leak into a run. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', LANG: 'C.UTF-8', ...extra };
}

/** The CPU time of children already waited for, in clock ticks (Linux only; 10 ms resolution). */
function childrenCpuTicks(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3; cutime and cstime are fields 16 and 17.
    return Number(fields[16 - 3]) + Number(fields[17 - 3]);
  } catch {
    return undefined;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux ABI in use.
let probeCounter = 0;

export async function runOnce(spec: ProcessSpec): Promise<Sample> {
  const probeFile = path.join(os.tmpdir(), `clinic-bench-cpu-${process.pid}-${probeCounter++}`);
  const env = { ...(spec.env ?? baseEnv()), BENCH_CPU_FILE: probeFile };
  const ticksBefore = childrenCpuTicks();
  const started = process.hrtime.bigint();
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(spec.command, spec.args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // a child that never reads stdin may close it first
    child.stdin.end(spec.input ?? '');
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const ticksAfter = childrenCpuTicks();
  let cpuMs = Number.NaN;
  let peakRssMb = Number.NaN;
  try {
    const [cpuMicros, rssKb] = fs.readFileSync(probeFile, 'utf8').trim().split(' ');
    cpuMs = Number(cpuMicros) / 1000;
    peakRssMb = Number(rssKb) / 1024;
    fs.rmSync(probeFile, { force: true });
  } catch {
    if (ticksBefore !== undefined && ticksAfter !== undefined) cpuMs = (ticksAfter - ticksBefore) * TICK_MS;
  }
  return { wallMs, cpuMs, peakRssMb, ...result };
}

export class ProcessFailed extends Error {
  constructor(
    readonly spec: ProcessSpec,
    readonly sample: Sample,
  ) {
    super(
      `${path.basename(spec.command)} ${spec.args.filter((arg, i, all) => arg !== CPU_PROBE && all[i + 1] !== CPU_PROBE).join(' ')} exited ${sample.code}: ${(
        sample.stderr || sample.stdout
      )
        .trim()
        .slice(0, 500)}`,
    );
  }
}

/** Runs a process once and insists that it succeeds (set-up steps). */
export async function runChecked(spec: ProcessSpec): Promise<Sample> {
  const sample = await runOnce(spec);
  if (!(spec.okCodes ?? [0]).includes(sample.code ?? -1)) throw new ProcessFailed(spec, sample);
  return sample;
}

export interface Measurement {
  wall: Summary;
  cpu: Summary;
  /** Peak resident memory (MB) of Node processes; absent in figures measured before it was recorded. */
  peakRss?: Summary;
  samples: Sample[];
}

function summarizeSamples(samples: Sample[]): Measurement {
  const rss = samples.map((sample) => sample.peakRssMb).filter((value) => !Number.isNaN(value));
  return {
    wall: summarize(samples.map((sample) => sample.wallMs)),
    cpu: summarize(samples.map((sample) => sample.cpuMs)),
    ...(rss.length === samples.length ? { peakRss: summarize(rss) } : {}),
    samples,
  };
}

export interface MeasureOptions {
  runs: number;
  warmup: number;
  /** Called before every run (warm-up included), outside the timed section. */
  before?: () => Promise<void> | void;
}

/**
 * Times whole processes: `warmup` untimed runs, then `runs` timed ones. Every run must succeed,
 * so that a fast failure is never reported as a fast command.
 */
export async function measure(spec: ProcessSpec, options: MeasureOptions): Promise<Measurement> {
  const samples: Sample[] = [];
  for (let i = 0; i < options.warmup + options.runs; i++) {
    await options.before?.();
    const sample = await runChecked(spec);
    if (i >= options.warmup) samples.push(sample);
  }
  return summarizeSamples(samples);
}

/**
 * Times several processes interleaved (A B C A B C ...), so that a burst of load from other
 * users of the machine hits every contender alike instead of one of them.
 */
export async function measureInterleaved(specs: Record<string, ProcessSpec>, options: MeasureOptions): Promise<Record<string, Measurement>> {
  const names = Object.keys(specs);
  const samples = new Map<string, Sample[]>(names.map((name) => [name, []]));
  for (let i = 0; i < options.warmup + options.runs; i++) {
    for (const name of names) {
      await options.before?.();
      const sample = await runChecked(specs[name]!);
      if (i >= options.warmup) samples.get(name)!.push(sample);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      return [name, summarizeSamples(samples.get(name)!)];
    }),
  );
}
