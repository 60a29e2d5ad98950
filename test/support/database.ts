import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { stopServer } from '../../src/db/server/client.js';
import type { DatabaseTarget } from '../../src/db/target.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { Actor } from '../../src/domain/policy.js';
import { adminKnex, quoteIdent, testDatabaseUrl, withDatabase } from './postgres.js';

export type Backend = 'embedded' | 'postgres';

/** PGlite always; PostgreSQL as well when CLINIC_TEST_DATABASE_URL is set. */
export const backends: Backend[] = testDatabaseUrl() ? ['embedded', 'postgres'] : ['embedded'];

export interface TestDatabase {
  readonly backend: Backend;
  readonly target: DatabaseTarget;
  readonly database: Database;
  readonly knex: Knex;
  /** A domain context on this database acting as `actor` (null: anonymous). */
  context(actor?: Actor | null, now?: () => Date): DomainContext;
  /** Closes the connection and, embedded, stops the directory's server (nothing holds the directory then). */
  close(): Promise<void>;
  reopen(): Promise<TestDatabase>;
  /** Removes it (embedded: or empties it for reuse, see the recycling below). */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database: a copy of the template directory (or a recycled one, see below), or
 * a database made from the template.
 */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'embedded') {
    const recycled = spares.pop();
    if (recycled) return recycled;
  }
  const name = `clinic_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  let target: DatabaseTarget;
  if (backend === 'embedded') {
    const dataDir = path.join(inject('testRoot'), name);
    await fs.cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
    target = { backend: 'embedded', dataDir };
  } else {
    const url = testDatabaseUrl();
    if (!url) throw new Error('CLINIC_TEST_DATABASE_URL is not set');
    const admin = await adminKnex(url);
    try {
      await admin.raw(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(inject('postgresTemplate'))}`);
    } finally {
      await admin.destroy();
    }
    target = { backend: 'postgres', url: withDatabase(url, name) };
  }
  const made = await open(target, name);
  if (backend === 'embedded') await learnTemplate(made);
  return made;
}

async function open(target: DatabaseTarget, name: string): Promise<TestDatabase> {
  const database = await openDatabase(target, { schema: 'none', lockTimeoutMs: 60_000 });
  const testDb: TestDatabase = {
    backend: target.backend,
    target,
    database,
    knex: database.knex,
    context: (actor = null, now = () => new Date()) => ({ db: database.knex, actor, backend: target.backend, now }),
    close: async () => {
      await database.close();
      if (target.backend === 'embedded') await stopServer(target.dataDir, process.env);
    },
    reopen: () => open(target, name),
    drop: async () => {
      if (target.backend === 'embedded' && spares.length < SPARES && !spares.some((spare) => spare.target === target) && (await resetToTemplate(testDb))) {
        spares.push(testDb);
        return;
      }
      await database.close();
      if (target.backend === 'embedded') {
        spares = spares.filter((spare) => spare.target !== target);
        await stopServer(target.dataDir, process.env);
        await fs.rm(target.dataDir, { recursive: true, force: true });
        await fs.rm(`${target.dataDir}.lock`, { force: true });
        await fs.rm(`${target.dataDir}.run`, { recursive: true, force: true });
      } else {
        const admin = await adminKnex(testDatabaseUrl()!);
        try {
          await admin.raw(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        } finally {
          await admin.destroy();
        }
      }
    },
  };
  return testDb;
}

/**
 * Runs the suite once per backend, each on its own fresh database for the whole file:
 *   describeBackends('appointments', (db) => { it('...', async () => { db().knex ... }) })
 */
export function describeBackends(name: string, suite: (db: () => TestDatabase) => void): void {
  for (const backend of backends) {
    describe(`${name} [${backend}]`, () => {
      let current: TestDatabase | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(backend);
      });
      afterAll(async () => {
        await current?.drop();
      });
      suite(() => {
        if (!current) throw new Error('test database not ready');
        return current;
      });
    });
  }
}

/**
 * Embedded databases are recycled within a worker: starting a directory's server costs ~2 s (the
 * PGlite start), emptying its tables ~0.1 s. A dropped embedded database goes back to the
 * template's rows and waits, warm, for the worker's next createTestDatabase — but only when its
 * schema, roles and settings are still the template's (one that was migrated, altered or closed is
 * removed, as before). Whoever takes it gets exactly what a fresh copy holds.
 */
interface TemplateState {
  fingerprint: string;
  /** Rows of the tables the template does not leave empty (knex's own tables are never emptied). */
  rows: Record<string, unknown[]>;
}

const KEPT_TABLES = new Set(['knex_migrations', 'knex_migrations_lock']);
let templateState: TemplateState | undefined;
/** Emptied embedded databases, warm, for the worker's next createTestDatabase (a few: some files use two or three at once). */
const SPARES = 3;
let spares: TestDatabase[] = [];

/** Empties `database` back to the template's rows; false when it cannot be (closed, or its schema changed). */
async function resetToTemplate(database: TestDatabase): Promise<boolean> {
  try {
    const state = templateState;
    if (!state || (await fingerprintOf(database.knex)) !== state.fingerprint) return false;
    const tables = await publicTables(database.knex);
    await database.knex.transaction(async (trx) => {
      // Replica mode: the audit log's append-only triggers (no truncate, no delete) do not fire.
      await trx.raw('SET LOCAL session_replication_role = replica');
      await trx.raw(`TRUNCATE ${tables.map(quoteIdent).join(', ')} RESTART IDENTITY CASCADE`);
      for (const [table, rows] of Object.entries(state.rows)) {
        await trx.raw(`INSERT INTO ${quoteIdent(table)} SELECT * FROM json_populate_recordset(NULL::${quoteIdent(table)}, ?)`, [JSON.stringify(rows)]);
      }
    });
    return true;
  } catch {
    return false;
  }
}

async function publicTables(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { tablename: string }[] }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((row) => row.tablename).filter((table) => !KEPT_TABLES.has(table));
}

/** What a file could change beyond its rows: tables, columns, constraints, indexes, triggers, functions, roles, settings, migrations. */
async function fingerprintOf(knex: Knex): Promise<string> {
  const { rows } = await knex.raw<{ rows: { f: string }[] }>(`
    SELECT md5(string_agg(x, E'\n' ORDER BY x)) AS f FROM (
      SELECT format('col %s.%s %s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS x
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL SELECT format('con %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT format('idx %s', pg_get_indexdef(indexrelid)) FROM pg_index JOIN pg_class c ON c.oid = indexrelid WHERE c.relnamespace = 'public'::regnamespace
      UNION ALL SELECT format('trg %s %s', pg_get_triggerdef(oid), tgenabled) FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL SELECT format('fn %s %s', proname, md5(prosrc)) FROM pg_proc WHERE pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
      UNION ALL SELECT format('role %s %s %s', rolname, rolsuper, rolcanlogin) FROM pg_roles
      UNION ALL SELECT format('set %s %s', setrole, setconfig) FROM pg_db_role_setting
      UNION ALL SELECT format('ext %s %s', extname, extversion) FROM pg_extension
      UNION ALL SELECT format('mig %s %s %s', id, name, batch) FROM knex_migrations
    ) AS parts`);
  return rows[0]!.f;
}

/** Reads the template's state from a fresh copy, once per worker. */
async function learnTemplate(database: TestDatabase): Promise<void> {
  if (templateState) return;
  const rows: Record<string, unknown[]> = {};
  for (const table of await publicTables(database.knex)) {
    const { rows: found } = await database.knex.raw<{ rows: { row: unknown }[] }>(`SELECT to_json(t) AS row FROM ${quoteIdent(table)} AS t`);
    if (found.length > 0) rows[table] = found.map((r) => r.row);
  }
  templateState = { fingerprint: await fingerprintOf(database.knex), rows };
}
