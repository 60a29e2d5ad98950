import { readFileSync } from 'node:fs';
import { serverPaths } from '../../src/db/server/paths.js';
import { formatMs } from './stats.js';

/**
 * The embedded server's own account of each connection (CLINIC_SERVER_TRACE=1 in the environment
 * of the command that starts it): how long the connection waited for other commands' turns, how
 * long PGlite worked for it, and how long it held the engine (its calls plus, inside a
 * transaction, its own time between two messages). Commands are told apart by PGAPPNAME, which
 * `pg` sends as application_name.
 */
export interface ConnectionTrace {
  id: number;
  applicationName: string;
  turns: number;
  calls: number;
  waitMs: number;
  execMs: number;
  heldMs: number;
  lifeMs: number;
}

const LINE = /trace connection (\d+) ("(?:[^"\\]|\\.)*"): turns (\d+) calls (\d+) wait ([\d.]+) exec ([\d.]+) held ([\d.]+) life ([\d.]+) ms/;

export function readServerTrace(dataDir: string, env: NodeJS.ProcessEnv): ConnectionTrace[] {
  const text = readFileSync(serverPaths(dataDir, env).log, 'utf8');
  const traces: ConnectionTrace[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    traces.push({
      id: Number(match[1]),
      applicationName: JSON.parse(match[2]!) as string,
      turns: Number(match[3]),
      calls: Number(match[4]),
      waitMs: Number(match[5]),
      execMs: Number(match[6]),
      heldMs: Number(match[7]),
      lifeMs: Number(match[8]),
    });
  }
  return traces;
}

/** The nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One command's wall time cut into what the server saw of it. */
export interface CommandBreakdown {
  wallMs: number;
  /** Waiting at the server for other commands' turns. */
  waitMs: number;
  /** PGlite executing its statements. */
  execMs: number;
  /** Its own time inside its transactions, between two of its messages (the engine held meanwhile). */
  inTransactionMs: number;
  /** Connected, its own work between two turns (between statements outside transactions). */
  betweenMs: number;
  /** Not connected: process start, loading, finding the server, connecting; after closing, printing and exit. */
  outsideMs: number;
  turns: number;
  calls: number;
}

export function breakdown(wallMs: number, traces: readonly ConnectionTrace[]): CommandBreakdown {
  const sum = (pick: (trace: ConnectionTrace) => number) => traces.reduce((total, trace) => total + pick(trace), 0);
  const waitMs = sum((t) => t.waitMs);
  const heldMs = sum((t) => t.heldMs);
  const execMs = sum((t) => t.execMs);
  const lifeMs = sum((t) => t.lifeMs);
  return {
    wallMs,
    waitMs,
    execMs,
    inTransactionMs: Math.max(0, heldMs - execMs),
    betweenMs: Math.max(0, lifeMs - waitMs - heldMs),
    outsideMs: Math.max(0, wallMs - lifeMs),
    turns: sum((t) => t.turns),
    calls: sum((t) => t.calls),
  };
}

/** A markdown table: p50 / p95 / max of each part over the commands, and the slowest command's own parts. */
export function breakdownTable(rows: readonly CommandBreakdown[]): string {
  const slowest = rows.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  const parts: Array<[string, (row: CommandBreakdown) => number, boolean]> = [
    ['wall (the whole command)', (r) => r.wallMs, true],
    ['queue wait at the server (other commands’ turns)', (r) => r.waitMs, true],
    ['PGlite executing its statements', (r) => r.execMs, true],
    ['its own time inside its transactions (engine held)', (r) => r.inTransactionMs, true],
    ['connected, its own work between turns', (r) => r.betweenMs, true],
    ['not connected: process start, loading, finding the server, connecting; closing, exit', (r) => r.outsideMs, true],
    ['turns (transactions or single statements) / calls into PGlite', (r) => r.turns, false],
  ];
  const lines = ['| part | p50 | p95 | max | slowest command |', '|---|--:|--:|--:|--:|'];
  for (const [label, pick, isTime] of parts) {
    const values = rows.map(pick);
    const show = (value: number) => (isTime ? formatMs(value) : String(value));
    const slow = isTime ? formatMs(pick(slowest)) : `${slowest.turns} / ${slowest.calls}`;
    lines.push(`| ${label} | ${show(percentile(values, 50))} | ${show(percentile(values, 95))} | ${show(Math.max(...values))} | ${slow} |`);
  }
  return lines.join('\n');
}

/** Shares of the summed wall time of all commands. */
export function shares(rows: readonly CommandBreakdown[]): { wait: number; exec: number; inTransaction: number; between: number; outside: number } {
  const total = rows.reduce((sum, row) => sum + row.wallMs, 0);
  const part = (pick: (row: CommandBreakdown) => number) => rows.reduce((sum, row) => sum + pick(row), 0) / total;
  return {
    wait: part((r) => r.waitMs),
    exec: part((r) => r.execMs),
    inTransaction: part((r) => r.inTransactionMs),
    between: part((r) => r.betweenMs),
    outside: part((r) => r.outsideMs),
  };
}
