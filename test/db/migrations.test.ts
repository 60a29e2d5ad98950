import { expect, it } from 'vitest';
import { migrateLatest, migrationNames, migrationStatus, rollbackLast } from '../../src/db/migrations.js';
import { describeBackends } from '../support/database.js';

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
});
