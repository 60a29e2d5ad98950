import type { Knex } from 'knex';
import { expect, it } from 'vitest';
import { migrateLatest, migrationNames, migrationStatus, rollbackLast, tablesCreatedByMigration } from '../../src/db/migrations.js';
import { describeBackends } from '../support/database.js';

async function tables(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: Array<{ tablename: string }> }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema()');
  return rows.map((row) => row.tablename);
}

describeBackends('migrations', (db) => {
  it('roll back completely and apply again', async () => {
    const knex = db().knex;
    expect((await migrationStatus(knex)).pending).toEqual([]);
    await rollbackLast(knex, true);
    expect((await migrationStatus(knex)).pending).toEqual(migrationNames);
    const tables = await knex.raw<{ rows: unknown[] }>("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'appointments'");
    expect(tables.rows).toHaveLength(0);
    expect(await migrateLatest(knex)).toEqual(migrationNames);
    expect((await migrationStatus(knex)).applied).toEqual(migrationNames);
  });

  it('each rollback undoes one migration and drops exactly the tables listed for it', async () => {
    const knex = db().knex;
    for (const name of [...migrationNames].reverse()) {
      const before = await tables(knex);
      expect(await rollbackLast(knex)).toEqual([name]);
      const after = await tables(knex);
      expect(before.filter((table) => !after.includes(table)).sort(), name).toEqual([...tablesCreatedByMigration(name)].sort());
    }
    expect((await migrationStatus(knex)).applied).toEqual([]);
    await migrateLatest(knex);
  });

  it('a knex lock left set by a killed migrator does not block the next migration or rollback', async () => {
    const knex = db().knex;
    await knex('knex_migrations_lock').update({ is_locked: 1 });
    expect(await migrateLatest(knex)).toEqual([]);
    await knex('knex_migrations_lock').update({ is_locked: 1 });
    expect(await rollbackLast(knex)).toEqual([migrationNames[migrationNames.length - 1]]);
    expect(await migrateLatest(knex)).toEqual([migrationNames[migrationNames.length - 1]]);
    expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
  });
});
