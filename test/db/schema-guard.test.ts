import { expect, it } from 'vitest';
import { migrationNames, migrationStatus, rollbackLast } from '../../src/db/migrations.js';
import { runCli, type CliOptions } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';

const NEWER = '20991231000000_added_by_a_newer_clinic';
const latestKnown = migrationNames[migrationNames.length - 1]!;
const PASSWORD = 'correct horse battery staple 42';

/** The flag that points a command at this test database, so that it opens it itself (as every command does). */
function targetArgs(db: TestDatabase): string[] {
  return db.target.backend === 'embedded' ? ['--data-dir', db.target.dataDir] : ['--database-url', db.target.url];
}

/** Runs commands that open the database themselves; the test's own connection is closed meanwhile (the embedded lock). */
async function withOwnConnection(current: () => TestDatabase, replace: (db: TestDatabase) => void, work: (args: string[]) => Promise<void>) {
  const db = current();
  await db.close();
  try {
    await work(targetArgs(db));
  } finally {
    replace(await db.reopen());
  }
}

describeBackends('schema guard', (initial) => {
  let reopened: TestDatabase | undefined;
  const db = () => reopened ?? initial();
  const replace = (next: TestDatabase) => (reopened = next);
  const cli = (args: string[], options: CliOptions = {}) => runCli(args, { database: db().database, ...options });

  it('a database migrated by a newer clinic is refused by every command with exit 8, naming both versions', async () => {
    await db().knex('knex_migrations').insert({ name: NEWER, batch: 2, migration_time: new Date() });
    for (const args of [
      ['db', 'migrate'],
      ['db', 'status'],
      ['db', 'rollback', '--yes'],
      ['db', 'reset', '--yes'],
      ['init', '--admin-username', 'boss', '--admin-password-stdin'],
    ]) {
      const result = await cli(args, { stdin: `${PASSWORD}\n` });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(8);
      expect(result.stderr).toContain(NEWER);
      expect(result.stderr).toContain(latestKnown);
      expect(result.stderr).toMatch(/Upgrade clinic/);
    }
    await withOwnConnection(db, replace, async (target) => {
      for (const args of [
        ['settings', 'show'],
        ['login', '--username', 'boss', '--password-stdin'],
      ]) {
        const result = await runCli([...args, ...target, '--json'], { stdin: `${PASSWORD}\n` });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(8);
        expect(JSON.parse(result.stderr).error.message).toContain(NEWER);
      }
    });
    const status = await migrationStatus(db().knex);
    expect(status.applied).toEqual(migrationNames);
    expect(status.unknown).toEqual([NEWER]);
    expect(await db().knex('users').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    await db().knex('knex_migrations').where({ name: NEWER }).del();
  });

  it("a database holding another application's tables is refused with exit 8 naming them, and left as it was", async () => {
    await rollbackLast(db().knex, true);
    await db().knex.schema.dropTable('knex_migrations').dropTable('knex_migrations_lock');
    await db().knex.raw('CREATE TABLE users (id serial PRIMARY KEY, login text NOT NULL)');
    await db().knex.raw('CREATE TABLE invoices (id serial PRIMARY KEY)');
    await db().knex('users').insert({ login: 'someone-else' });
    for (const args of [
      ['db', 'migrate'],
      ['db', 'status'],
      ['init', '--admin-username', 'boss', '--admin-password-stdin'],
    ]) {
      const result = await cli(args, { stdin: `${PASSWORD}\n` });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(8);
      expect(result.stderr).toContain('tables clinic did not create: invoices, users');
    }
    await withOwnConnection(db, replace, async (target) => {
      const result = await runCli(['settings', 'show', ...target]);
      expect(result.code, result.stderr).toBe(8);
      expect(result.stderr).toContain('invoices, users');
    });
    const { rows } = await db().knex.raw<{ rows: Array<{ tablename: string }> }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1',
    );
    expect(rows.map((row) => row.tablename)).toEqual(['invoices', 'users']);
    expect(await db().knex('users').select('login')).toEqual([{ login: 'someone-else' }]);
  });
});
