import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { DatabaseUnavailableError, isDomainError } from '../domain/errors.js';
import { acquireEmbeddedLock, type EmbeddedLock } from './embedded-lock.js';
import { assertSchemaUsable, migrateLatest, migrationStatus } from './migrations.js';
import { toDatabaseUnavailable } from './pg-errors.js';
import { describeTarget, type DatabaseTarget } from './target.js';

export interface Database {
  readonly knex: Knex;
  readonly target: DatabaseTarget;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** How long to wait for another process holding the embedded database (DESIGN §2). */
  lockTimeoutMs?: number;
  onLockWait?: (holderPid: number | undefined, holder: string) => void;
  /**
   * 'auto': migrate the embedded database, refuse a PostgreSQL one with pending migrations.
   * 'none': open as it is (the `db` commands decide themselves).
   */
  schema?: 'auto' | 'none';
}

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** The one connection factory: PGlite in a locked data directory, or a small pg pool. */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const database = target.backend === 'embedded' ? await openEmbedded(target, options) : await openPostgres(target);
  try {
    if ((options.schema ?? 'auto') === 'auto') await ensureSchema(database);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function ensureSchema(database: Database): Promise<void> {
  const status = await migrationStatus(database.knex);
  assertSchemaUsable(status);
  const { pending } = status;
  if (pending.length === 0) return;
  if (database.target.backend === 'embedded') {
    await migrateLatest(database.knex);
    return;
  }
  throw new DatabaseUnavailableError(
    `The database schema is not up to date: ${pending.length} migration(s) pending on ${describeTarget(database.target)}.`,
    { remedy: 'Run `clinic db migrate`.' },
  );
}

async function openEmbedded(target: Extract<DatabaseTarget, { backend: 'embedded' }>, options: OpenOptions): Promise<Database> {
  const { dataDir } = target;
  const { prepareDataDir, tightenModes, toDataDirError, diskFullAfterFailure, noteDataDir } = await import('./data-dir.js');
  let lock: EmbeddedLock | undefined;
  try {
    await prepareDataDir(dataDir);
    lock = await acquireEmbeddedLock(dataDir, {
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      ...(options.onLockWait ? { onWait: options.onLockWait } : {}),
    });
    const knex = await createPgliteKnex(dataDir);
    // A full disk surfaces in whichever query hits it; the CLI then names this directory.
    knex.on('query-error', (error: unknown) => noteDataDir(error, dataDir));
    return withClose(knex, target, lock, () => tightenModes(dataDir));
  } catch (error) {
    await lock?.release().catch(() => {});
    if (isDomainError(error)) throw error;
    throw (
      toDataDirError(error, dataDir) ??
      (await diskFullAfterFailure(error, dataDir)) ??
      new DatabaseUnavailableError(`Cannot open the embedded database at ${dataDir}: ${(error as Error).message}`, {
        cause: error,
        remedy: 'Check that the directory is a clinic data directory, or choose another with --data-dir.',
      })
    );
  }
}

/** A PGlite instance with the extensions the migrations need, handed to knex-pglite. */
export async function createPgliteKnex(dataDir: string | undefined): Promise<Knex> {
  const [{ PGlite }, { btree_gist }, { citext }, { unaccent }, { pg_trgm }, { default: knexFactory }, { default: ClientPgLite }] =
    await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/btree_gist'),
      import('@electric-sql/pglite/contrib/citext'),
      import('@electric-sql/pglite/contrib/unaccent'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('knex'),
      import('knex-pglite'),
    ]);
  if (dataDir !== undefined) await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create(dataDir, {
    extensions: { btree_gist, citext, unaccent, pg_trgm },
    parsers: { [DATE_OID]: (value: string) => value },
  });
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as never,
    log: silentLog,
  });
}

const DATE_OID = 1082;
// Knex would print pool and deprecation warnings itself; errors reach the CLI as exceptions instead.
const silentLog = { warn() {}, error() {}, deprecate() {}, debug() {} };
const INT8_OID = 20;

async function openPostgres(target: Extract<DatabaseTarget, { backend: 'postgres' }>): Promise<Database> {
  const [{ default: knexFactory }, { default: pg }] = await Promise.all([import('knex'), import('pg')]);
  // Dates stay 'YYYY-MM-DD' strings (no local-midnight Date); counts and identities are numbers, as in PGlite.
  pg.types.setTypeParser(DATE_OID, (value: string) => value);
  pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: target.url, connectionTimeoutMillis: 10_000, application_name: 'clinic' },
    pool: { min: 0, max: 4, idleTimeoutMillis: 1_000 },
    acquireConnectionTimeout: 15_000,
    log: silentLog,
  });
  try {
    await knex.raw('SELECT 1');
  } catch (error) {
    await knex.destroy();
    throw toDatabaseUnavailable(error, target) ?? error;
  }
  return withClose(knex, target);
}

function withClose(knex: Knex, target: DatabaseTarget, lock?: EmbeddedLock, afterClose?: () => void): Database {
  let closing: Promise<void> | undefined;
  return {
    knex,
    target,
    close() {
      closing ??= (async () => {
        try {
          await knex.destroy();
          afterClose?.();
        } finally {
          await lock?.release();
        }
      })();
      return closing;
    },
  };
}
