import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrationNames, migrationStatus } from '../../src/db/migrations.js';
import { adminKnex, quoteIdent, testDatabaseUrl, withDatabase } from '../support/postgres.js';
import { spawnClinic } from '../support/spawn.js';
import { STACK_FRAME } from './helpers.js';

/**
 * Several processes migrating one new PostgreSQL database at once (a deployment starting many
 * replicas, or a script and a person): they queue on clinic's advisory lock, so every one exits 0
 * (the later ones find nothing to do) and the schema is complete. Without the lock, the losers
 * failed on knex's "Migration table is already locked" or on a `CREATE TABLE` race, exit 1 with SQL.
 */
const PROCESSES = 6;
const ROUNDS = 3;

describe.skipIf(!testDatabaseUrl())('PostgreSQL: several processes migrating a new database at once', () => {
  const url = testDatabaseUrl()!;
  const created: string[] = [];

  async function freshDatabase(): Promise<string> {
    const name = `clinic_mig_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = await adminKnex(url);
    try {
      await admin.raw(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await admin.destroy();
    }
    created.push(name);
    return name;
  }

  afterAll(async () => {
    const admin = await adminKnex(url);
    try {
      for (const name of created) await admin.raw(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await admin.destroy();
    }
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: ${PROCESSES} × db migrate all exit 0 and the schema is complete`, async () => {
      const name = await freshDatabase();
      const databaseUrl = withDatabase(url, name);
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, () => spawnClinic(['db', 'migrate', '--json', '--database-url', databaseUrl], { timeoutMs: 120_000 })),
      );
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe('');
        expect(result.stderr).not.toMatch(STACK_FRAME);
      }
      // Exactly one process applied the migrations; the others found nothing to do.
      const migrated = results.map((result) => (JSON.parse(result.stdout) as { migrated: string[] }).migrated);
      expect(migrated.filter((names) => names.length > 0)).toEqual([migrationNames]);
      const knex = await adminKnex(url, name);
      try {
        expect((await migrationStatus(knex)).applied).toEqual(migrationNames);
        expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
      } finally {
        await knex.destroy();
      }
    });
  }

  it('db migrate and init racing on a new database: no exit 1, one admin, the schema complete', async () => {
    const name = await freshDatabase();
    const databaseUrl = withDatabase(url, name);
    const password = 'correct horse battery staple 42';
    const runs = [
      ...Array.from({ length: 3 }, () => spawnClinic(['db', 'migrate', '--database-url', databaseUrl], { timeoutMs: 120_000 })),
      ...Array.from({ length: 2 }, (_, i) =>
        spawnClinic(['init', '--timezone', 'UTC', '--admin-username', `boss${i}`, '--admin-password-stdin', '--database-url', databaseUrl], {
          input: `${password}\n`,
          env: { XDG_CONFIG_HOME: path.join(inject('testRoot'), `clinic-mig-${process.pid}-${i}`) },
          timeoutMs: 120_000,
        }),
      ),
    ];
    const results = await Promise.all(runs);
    for (const result of results) {
      expect([0, 7], result.stderr).toContain(result.code);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    expect(
      results
        .slice(3)
        .map((result) => result.code)
        .sort(),
    ).toEqual([0, 7]);
    const knex = await adminKnex(url, name);
    try {
      expect((await migrationStatus(knex)).applied).toEqual(migrationNames);
      expect(await knex('users').where({ role: 'admin' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      await knex.destroy();
    }
  });
});
