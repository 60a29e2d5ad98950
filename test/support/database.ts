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
  drop(): Promise<void>;
}

/** A fresh, migrated database: a copy of the template directory, or a database made from the template. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
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
  return open(target, name);
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
      await database.close();
      if (target.backend === 'embedded') {
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
