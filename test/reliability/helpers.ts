import type { Knex } from 'knex';

/** Stack frames ("\n    at fn (file:line)") must never reach a user without --debug. */
export const STACK_FRAME = /\n\s+at /;

/** Every table of the public schema, each row rendered as PostgreSQL's text form of the record. */
export async function dumpAllTables(knex: Knex): Promise<Record<string, string>> {
  const tables = await knex('information_schema.tables')
    .where({ table_schema: 'public', table_type: 'BASE TABLE' })
    .orderBy('table_name')
    .pluck<string[]>('table_name');
  const dump: Record<string, string> = {};
  for (const table of tables) {
    const rows = await knex.raw<{ rows: Array<{ line: string }> }>('select t::text as line from ?? as t', [table]);
    dump[table] = rows.rows.map((row) => row.line).join('\n');
  }
  return dump;
}

/** A small deterministic PRNG (mulberry32), so that "random" trials replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
