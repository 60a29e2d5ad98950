import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

/** Set to run every database test on PostgreSQL too (each file gets its own database). */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.CLINIC_TEST_DATABASE_URL;
  return url ? url : undefined;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminKnex(url: string, database?: string): Promise<Knex> {
  pg.types.setTypeParser(1082, (value: string) => value);
  pg.types.setTypeParser(20, (value: string) => Number(value));
  return knexFactory({
    client: 'pg',
    connection: database ? withDatabase(url, database) : url,
    pool: { min: 0, max: 1 },
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

/** Database names come from our own code, but quote them anyway: identifiers cannot be bound. */
export function quoteIdent(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}
