import { Socket } from 'node:net';
import type { Knex } from 'knex';
import { DatabaseUnavailableError, isClinicError } from './errors.js';
import { assertSchemaUsable, migrateLatest, schemaCheck } from './migrations.js';
import { databaseMessage, rememberFailedSql, toConnectionFailure } from './pg-errors.js';
import { postgresSettings, type PostgresSettings } from './postgres-settings.js';
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
  /** PGPASSWORD, PGSSLMODE, ~/.pgpass and the rest are read from here (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told the text of every statement sent, placeholders and not values (the CLI's --debug). */
  onStatement?: (sql: string) => void;
}

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** The one connection factory: PGlite in a locked data directory, or a small pg pool. */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const database = target.backend === 'embedded' ? await openEmbedded(target, options) : await openPostgres(target, options.env ?? process.env);
  const { onStatement } = options;
  if (onStatement) database.knex.on('query', (query: { sql: string }) => onStatement(query.sql));
  try {
    if ((options.schema ?? 'auto') === 'auto') await ensureSchema(database);
    codeCacheCheckpoint();
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Tells the launcher (bin/code-cache.js) that the database is open: what the run has compiled so
 * far is what every database command compiles, the core cache a command's first run starts from.
 */
function codeCacheCheckpoint(): void {
  const checkpoint = (globalThis as Record<symbol, unknown>)[Symbol.for('clinic.codeCache.databaseOpened')];
  if (typeof checkpoint === 'function') checkpoint();
}

async function ensureSchema(database: Database): Promise<void> {
  const status = await schemaCheck(database.knex);
  assertSchemaUsable(status);
  const { pending } = status;
  if (pending.length === 0) return;
  if (database.target.backend === 'embedded') {
    await migrateLatest(database.knex);
    return;
  }
  throw new DatabaseUnavailableError(`The database schema is not up to date: ${pending.length} migration(s) pending on ${describeTarget(database.target)}.`, {
    remedy: 'Run `clinic db migrate`.',
    reason: 'PENDING_MIGRATIONS',
  });
}

/**
 * The embedded database through its server (src/db/server): the data directory's one owner,
 * reached with `pg` on a private Unix socket like any PostgreSQL server.
 */
async function openEmbedded(target: Extract<DatabaseTarget, { backend: 'embedded' }>, options: OpenOptions): Promise<Database> {
  const { dataDir } = target;
  const env = options.env ?? process.env;
  // Loaded here, not at the top: a PostgreSQL command never needs them.
  const [{ toDataDirError, noteDataDir }, { ensureServer }, { SOCKET_PORT }] = await Promise.all([
    import('./data-dir.js'),
    import('./server/client.js'),
    import('./server/paths.js'),
  ]);
  try {
    const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const paths = await ensureServer(dataDir, {
        timeoutMs,
        env,
        // The first attempt connects straight away; when nothing answers there, the next one looks (and starts a server).
        trustSocket: attempt === 1,
        ...(options.onLockWait ? { onWait: options.onLockWait } : {}),
      });
      // One connection: the server runs one transaction at a time anyway, and a second
      // connection of the same command waiting on the first would wait forever.
      // The connection is served once no other command is inside a transaction: that wait is bounded by --lock-timeout too.
      const knex = await pgKnex(
        { host: paths.runDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres', connectionTimeoutMillis: Math.max(timeoutMs, 1_000) },
        1,
      );
      try {
        // Every turn at the server may queue: connecting is all that is waited for here.
        await connectOnly(knex);
      } catch (error) {
        await knex.destroy();
        // The server may have just stopped (idle) between our look and our connection: start it again.
        if (attempt < 4 && SERVER_GONE.test(`${(error as NodeJS.ErrnoException).code} ${(error as Error).message}`)) continue;
        if (/timeout/i.test((error as Error).message)) {
          throw new DatabaseUnavailableError(
            `The embedded database at ${dataDir} is busy with another clinic command's transaction; gave up after ${Math.round(timeoutMs / 1000)} s.`,
            { cause: error, remedy: 'Wait for the other command to finish, or raise --lock-timeout.', reason: 'LOCKED' },
          );
        }
        throw error;
      }
      // A full disk surfaces in whichever query hits it; the CLI then names this directory.
      knex.on('query-error', (error: unknown) => noteDataDir(error, dataDir));
      return withClose(knex, target);
    }
  } catch (error) {
    if (isClinicError(error)) throw error;
    throw (
      toDataDirError(error, dataDir) ??
      toConnectionFailure(error, target) ??
      new DatabaseUnavailableError(`Cannot open the embedded database at ${dataDir}: ${(error as Error).message}`, {
        cause: error,
        remedy: 'Check that the directory is a clinic data directory, or choose another with --data-dir.',
      })
    );
  }
}

/** A knex over `pg`; dates stay 'YYYY-MM-DD' strings (no local-midnight Date), counts and identities are numbers. */
async function pgKnex(connection: Knex.PgConnectionConfig | (() => Knex.PgConnectionConfig), max: number): Promise<Knex> {
  const [{ default: knexFactory }, { default: pg }] = await Promise.all([import('knex'), import('pg')]);
  pg.types.setTypeParser(DATE_OID, (value: string) => value);
  pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));
  return knexFactory({
    client: 'pg',
    connection,
    pool: { min: 0, max, idleTimeoutMillis: 1_000 },
    acquireConnectionTimeout: 15_000,
    // Bindings (names, hashes) are not pasted into error messages; the SQL is cut off before display.
    compileSqlOnError: false,
    log: silentLog,
  });
}

/** Opens the pool's first connection and gives it back: the server accepted the login; no statement is sent. */
async function connectOnly(knex: Knex): Promise<void> {
  await knex.client.releaseConnection(await knex.client.acquireConnection());
}

// Refused, gone, reset or cut while connecting: the server stopped (idle, or killed) after our look, so look again.
const SERVER_GONE = /ECONNREFUSED|ECONNRESET|ENOENT|EPIPE|Connection terminated/;
const DATE_OID = 1082;
// Knex would print pool and deprecation warnings itself; errors reach the CLI as exceptions instead.
const silentLog = { warn() {}, error() {}, deprecate() {}, debug() {} };
const INT8_OID = 20;

async function openPostgres(target: Extract<DatabaseTarget, { backend: 'postgres' }>, env: NodeJS.ProcessEnv): Promise<Database> {
  const settings = postgresSettings(target.url, env);
  // pg leaves the socket of a connection that failed half-way (e.g. during authentication) open,
  // which keeps the process alive until the server gives up: every socket is ended with the pool.
  const sockets = new Set<Socket>();
  const stream = () => {
    const socket = new Socket();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const destroySockets = () => {
    for (const socket of sockets) socket.destroy();
  };
  const connect = async (ssl: PostgresSettings['ssl']): Promise<Knex> => {
    // A provider function: knex deep-clones a plain object, which would copy the password function and TLS keys around.
    const knex = await pgKnex(() => ({ ...settings.client, ssl, stream }) as Knex.PgConnectionConfig, 4);
    try {
      await connectOnly(knex);
      return knex;
    } catch (error) {
      await knex.destroy();
      destroySockets();
      throw error;
    }
  };
  const open = async (ssl: PostgresSettings['ssl']): Promise<Database> => {
    const database = withClose(await connect(ssl), target);
    return { ...database, close: () => database.close().finally(destroySockets) };
  };
  try {
    return await open(settings.ssl);
  } catch (error) {
    if (settings.sslFallback && /does not support SSL/i.test(databaseMessage(error))) {
      try {
        return await open(false);
      } catch (plainError) {
        throw toConnectionFailure(plainError, target, settings) ?? plainError;
      }
    }
    throw toConnectionFailure(error, target, settings) ?? error;
  }
}

function withClose(knex: Knex, target: DatabaseTarget): Database {
  knex.on('query-error', rememberFailedSql);
  let closing: Promise<void> | undefined;
  return {
    knex,
    target,
    close() {
      closing ??= knex.destroy();
      return closing;
    },
  };
}
