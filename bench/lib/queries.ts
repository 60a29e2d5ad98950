import type { Knex } from 'knex';
import { summarize, type Summary } from './stats.js';

export interface CapturedQuery {
  /** As sent to the server: positional parameters ($1, $2 …). */
  sql: string;
  bindings: unknown[];
}

/** Runs `work` once and returns every statement it sent through this knex ('query' event). */
export async function captureQueries(knex: Knex, work: () => Promise<unknown>): Promise<CapturedQuery[]> {
  const captured: CapturedQuery[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => captured.push({ sql: query.sql, bindings: [...(query.bindings ?? [])] });
  knex.on('query', listener);
  try {
    await work();
  } finally {
    knex.off('query', listener);
  }
  return captured;
}

/** Median of `runs` timed calls after `warmup` untimed ones, in ms. */
export async function timeCalls(work: () => Promise<unknown>, runs: number, warmup = 3): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = process.hrtime.bigint();
    await work();
    if (i >= warmup) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return summarize(samples);
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of a captured statement with its own parameters, on a raw
 * connection of the pool (knex.raw would re-parse the placeholders).
 */
export async function explainAnalyze(
  knex: Knex,
  query: CapturedQuery,
  planner: Record<string, 'on' | 'off'> = {},
  withoutIndexes: readonly string[] = [],
): Promise<string> {
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> };
  const connection = (await client.acquireConnection()) as { query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, string>> }> };
  try {
    await connection.query('BEGIN');
    // Planner switches (enable_hashjoin …) for a what-if plan, undone by the ROLLBACK.
    for (const [name, value] of Object.entries(planner)) {
      if (!/^enable_[a-z]+$/.test(name)) throw new Error(`not a planner switch: ${name}`);
      await connection.query(`SET LOCAL ${name} = ${value}`);
    }
    // Indexes dropped for a what-if plan (DDL is transactional): the ROLLBACK puts them back.
    for (const name of withoutIndexes) {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not an index name: ${name}`);
      await connection.query(`DROP INDEX ${name}`);
    }
    const result = await connection.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.bindings);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await connection.query('ROLLBACK').catch(() => {});
    await client.releaseConnection(connection);
  }
}

/** The tables named in "Seq Scan on T" nodes of a plan, among the ones that grow with the clinic. */
export function sequentialScans(plan: string, bigTables: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of plan.matchAll(/Seq Scan on (\w+)/g)) if (bigTables.includes(match[1]!)) found.add(match[1]!);
  return [...found];
}

/** A read that EXPLAIN ANALYZE may execute again: a SELECT, or a WITH that writes nothing. */
export function isSelect(sql: string): boolean {
  if (/^\s*select\b/i.test(sql)) return true;
  return /^\s*with\b/i.test(sql) && !/\b(insert|update|delete|merge)\b/i.test(sql);
}

/** The execution time EXPLAIN ANALYZE reports, in ms. */
export function executionTime(plan: string): number {
  const match = /Execution Time: ([\d.]+) ms/.exec(plan);
  return match ? Number(match[1]) : Number.NaN;
}
