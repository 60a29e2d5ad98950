import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/exit-codes.js';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { runCli } from '../support/cli.js';
import { privateClusterUnavailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';

/**
 * Errors that are not bugs: real errors raised by a real server, each mapped deliberately by its
 * SQLSTATE class, and never shown with the SQL statement that caused it.
 */
const unavailable = privateClusterUnavailable();
if (unavailable) console.warn(`database-errors tests skipped: ${unavailable}`);

const SECRET_VALUE = 'Marker-Value-6621';

describe.skipIf(unavailable !== undefined)('database errors by SQLSTATE class (private cluster)', () => {
  let cluster: PrivateCluster;
  let database: Database;
  let home: string;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-pgerr-'));
    database = await openDatabase({ backend: 'postgres', url: cluster.url() }, { schema: 'none', env: { HOME: home } });
    await database.knex.raw('CREATE TABLE things (id int PRIMARY KEY, label text NOT NULL, CHECK (id > 0))');
    await database.knex.raw("INSERT INTO things VALUES (1, 'one')");
  });
  afterAll(async () => {
    await database?.close();
    await cluster?.destroy();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const failure = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      return { error, described: await describeError(error) };
    }
    throw new Error('expected the statement to fail');
  };
  const noSql = (text: string) => {
    expect(text).not.toMatch(/\b(select|insert|update|lock table|from things)\b/i);
    expect(text).not.toContain(SECRET_VALUE);
  };

  it.each([
    ['22P02 invalid text', 3, 'INVALID_INPUT', () => database.knex.raw('SELECT ?::uuid FROM things', ['not-a-uuid'])],
    ['23502 not null', 3, 'INVALID_INPUT', () => database.knex('things').insert({ id: 7, label: null })],
    ['23514 check', 3, 'INVALID_INPUT', () => database.knex('things').insert({ id: -1, label: SECRET_VALUE })],
    ['23505 unique', 7, 'CONFLICT', () => database.knex('things').insert({ id: 1, label: SECRET_VALUE })],
    ['42P01 undefined table (a bug)', 1, 'INTERNAL', () => database.knex('no_such_table').where({ label: SECRET_VALUE })],
    ['42601 syntax error (a bug)', 1, 'INTERNAL', () => database.knex.raw(`SELEC '${SECRET_VALUE}'`)],
    ['0A000 extension not installed', 8, 'DATABASE_UNAVAILABLE', () => database.knex.raw('CREATE EXTENSION no_such_extension')],
  ] as const)('%s → exit %i, without the SQL', async (_name, exitCode, code, work) => {
    const { described } = await failure(work);
    expect(described.exitCode).toBe(exitCode);
    expect(described.code).toBe(code);
    noSql(described.message);
  });

  it('57014 query cancelled (statement timeout) is exit 8 with a message', async () => {
    const { error, described } = await failure(() =>
      database.knex.transaction(async (trx) => {
        await trx.raw("SET LOCAL statement_timeout = '50ms'");
        await trx.raw('SELECT pg_sleep(2), ?::text AS label', [SECRET_VALUE]);
      }),
    );
    expect(error).toMatchObject({ code: '57014' });
    expect(described.exitCode).toBe(8);
    expect(described.message).toMatch(/cancelled the query/);
    noSql(described.message);
  });

  it('55P03 lock timeout is exit 8 with a message', async () => {
    const holder = database.knex.transaction();
    const trx = await holder;
    try {
      await trx.raw('LOCK TABLE things IN ACCESS EXCLUSIVE MODE');
      const { error, described } = await failure(() =>
        database.knex.transaction(async (waiter) => {
          await waiter.raw("SET LOCAL lock_timeout = '50ms'");
          await waiter('things').where({ label: SECRET_VALUE });
        }),
      );
      expect(error).toMatchObject({ code: '55P03' });
      expect(described.exitCode).toBe(8);
      expect(described.message).toMatch(/locked by another session/);
      noSql(described.message);
    } finally {
      await trx.rollback();
    }
  });

  it('40001 serialization failure (what the transaction helper retries) is exit 7 once it gives up', async () => {
    await database.knex.raw('CREATE TABLE tally (n int)');
    const first = await database.knex.transaction();
    const second = await database.knex.transaction();
    try {
      await first.raw('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
      await second.raw('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
      await first.raw('SELECT sum(n) FROM tally');
      await second.raw('SELECT sum(n) FROM tally');
      await first.raw('INSERT INTO tally VALUES (1)');
      await second.raw('INSERT INTO tally VALUES (2)');
      await first.commit();
      // knex reports a failed COMMIT through the transaction's own promise
      const { error, described } = await failure(() => second.commit().then(() => second.executionPromise));
      expect(error).toMatchObject({ code: '40001' });
      expect(described.exitCode).toBe(7);
      noSql(described.message);
    } finally {
      if (!second.isCompleted()) await second.rollback().catch(() => {});
    }
  });

  it('57P01 a connection terminated by the server is exit 8', async () => {
    const { error, described } = await failure(() =>
      Promise.all([
        database.knex.raw("SELECT pg_sleep(5), 'clinic-terminate-me'"),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
          cluster.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%clinic-terminate-' || 'me%' AND pid <> pg_backend_pid()"),
        ),
      ]),
    );
    expect((error as { code?: string }).code ?? '').toMatch(/57P01|^$/);
    expect(described.exitCode).toBe(8);
  });

  it('extensions installed in another schema: db migrate is exit 8 naming the extension and what to do', async () => {
    await cluster.psql('CREATE DATABASE ext_elsewhere');
    await cluster.psql(
      'CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; CREATE EXTENSION unaccent SCHEMA ext; CREATE EXTENSION btree_gist SCHEMA ext; CREATE EXTENSION pg_trgm SCHEMA ext',
      'ext_elsewhere',
    );
    const result = await runCli(['db', 'migrate', '--json', '--database-url', cluster.url({ database: 'ext_elsewhere' })], { env: { HOME: home } });
    expect(result.code).toBe(8);
    const { error } = JSON.parse(result.stderr);
    expect(error.message).toMatch(/unaccent.*missing or installed in a schema that is not on the search path/);
    expect(error.remedy).toMatch(/SET SCHEMA public/);
    noSql(result.stderr);
  });
});
