import type { Knex } from 'knex';
import { expect, it } from 'vitest';
import { migrateLatest, migrationNames, migrationStatus } from '../../src/db/migrations.js';
import { runCli, type CliOptions } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient } from '../support/factories.js';
import { spawnClinic } from '../support/spawn.js';

/** Every table of the schema with its row count: what a refused command must leave as it was. */
async function snapshot(knex: Knex): Promise<Record<string, number>> {
  const { rows } = await knex.raw<{ rows: Array<{ tablename: string }> }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1');
  const counts: Record<string, number> = {};
  for (const { tablename } of rows) counts[tablename] = Number((await knex(tablename).count<{ n: number }[]>({ n: '*' }))[0]!.n);
  return counts;
}

const latest = migrationNames[migrationNames.length - 1]!;

describeBackends('db rollback and db reset', (initial) => {
  let reopened: TestDatabase | undefined;
  const db = () => reopened ?? initial();
  const cli = (args: string[], options: CliOptions = {}) => runCli(['db', ...args], { database: db().database, ...options });

  it('sets up a clinic with rows in it', async () => {
    await makeAdmin(db().knex);
    const doctor = await makeDoctor(db().knex);
    await makePatient(db().knex, { doctors: [doctor] });
    expect((await snapshot(db().knex)).users).toBe(3);
  });

  it('db status says which rollbacks drop rows, and of which table', async () => {
    const result = await cli(['status']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Rolling back 20261125090100_create_users drops 3 rows of table users.');
    expect(result.stdout).toContain('Rolling back 20261125090200_create_doctors drops 1 row of table doctors.');
    expect(result.stdout).not.toContain('of table appointments');
    const json = (await cli(['status', '--json'])).json<{ dropsOnRollback: unknown[] }>();
    expect(json.dropsOnRollback).toContainEqual({ migration: '20261125090100_create_users', table: 'users', rows: 3 });
  });

  it('without a terminal and without --yes, refuses (exit 2) naming --yes and what it would drop; nothing changes', async () => {
    const before = await snapshot(db().knex);
    for (const args of [['rollback'], ['rollback', '--all'], ['rollback', '--to', '20261125090100_create_users'], ['reset']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('--yes');
      expect(await snapshot(db().knex)).toEqual(before);
    }
    const all = await cli(['rollback', '--all']);
    expect(all.stderr).toContain('users (3 rows)');
    expect(all.stderr).toContain('doctors (1 row)');
    const reset = await cli(['reset', '--json']);
    expect(JSON.parse(reset.stderr).error.message).toContain('patients (1 row)');
    expect((await migrationStatus(db().knex)).pending).toEqual([]);
  });

  it('the built binary without a terminal refuses db rollback (exit 2) and drops nothing', async () => {
    const before = await snapshot(db().knex);
    const current = db();
    await current.close();
    try {
      const target = current.target.backend === 'embedded' ? ['--data-dir', current.target.dataDir] : ['--database-url', current.target.url];
      const result = await spawnClinic(['db', 'rollback', ...target]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('--yes');
      expect(result.stderr).toContain(latest);
    } finally {
      reopened = await current.reopen();
    }
    expect(await snapshot(db().knex)).toEqual(before);
  });

  it('on a terminal, asks; a no drops nothing', async () => {
    const before = await snapshot(db().knex);
    const result = await cli(['rollback', '--all'], { tty: true, stdin: 'n\n' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('Not confirmed: nothing was changed.');
    expect(result.stderr).toContain('users (3 rows)');
    expect(result.stderr).toMatch(/\(y\/N\)/);
    expect(await snapshot(db().knex)).toEqual(before);
  });

  it('CLINIC_ENV=production refuses without --force (exit 5), even with --yes', async () => {
    const before = await snapshot(db().knex);
    for (const args of [
      ['rollback', '--yes'],
      ['rollback', '--all', '--yes'],
      ['reset', '--yes'],
    ]) {
      const result = await cli(args, { env: { CLINIC_ENV: 'production' } });
      expect(result.code, args.join(' ')).toBe(5);
      expect(result.stderr).toContain('--force');
    }
    expect(await snapshot(db().knex)).toEqual(before);
    const forced = await cli(['rollback', '--yes', '--force'], { env: { CLINIC_ENV: 'production' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect((await migrationStatus(db().knex)).pending).toEqual([latest]);
    await migrateLatest(db().knex);
  });

  it('db rollback --yes undoes exactly one migration: the latest', async () => {
    const result = await cli(['rollback', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ rolledBack: [latest] });
    expect((await migrationStatus(db().knex)).pending).toEqual([latest]);
    expect((await snapshot(db().knex)).users).toBe(3);
    await migrateLatest(db().knex);
  });

  it('--to NAME undoes every migration after NAME and leaves NAME applied', async () => {
    const result = await cli(['rollback', '--to', '20261125090600_create_doctor_patients', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('rolled back 20261125090700_create_appointments (dropped appointments (0 rows))');
    const { applied } = await migrationStatus(db().knex);
    expect(applied[applied.length - 1]).toBe('20261125090600_create_doctor_patients');
    expect(applied).toEqual(migrationNames.slice(0, migrationNames.indexOf('20261125090600_create_doctor_patients') + 1));
    const tables = await snapshot(db().knex);
    expect(tables.doctor_patients).toBe(1);
    expect(tables.appointments).toBeUndefined();
    // by timestamp too; a name that is not applied is exit 6
    expect((await cli(['rollback', '--to', '20261125090600', '--yes'])).stdout).toBe('Nothing to roll back.\n');
    const unknown = await cli(['rollback', '--to', '20261125091200_create_audit_log', '--yes']);
    expect(unknown.code).toBe(6);
    expect((await cli(['rollback', '--to', 'x', '--all'])).code).toBe(2);
    await migrateLatest(db().knex);
  });

  it('--all --yes undoes every migration, then db migrate builds it again', async () => {
    const result = await cli(['rollback', '--all', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ rolledBack: string[] }>().rolledBack).toEqual([...migrationNames].reverse());
    expect((await migrationStatus(db().knex)).applied).toEqual([]);
    expect(Object.keys(await snapshot(db().knex)).filter((table) => !table.startsWith('knex_'))).toEqual([]);
    expect((await cli(['rollback', '--yes'])).stdout).toBe('Nothing to roll back.\n');
    expect((await cli(['migrate'])).code).toBe(0);
    expect((await migrationStatus(db().knex)).pending).toEqual([]);
  });

  it('db reset --yes drops every row and leaves the whole schema applied', async () => {
    await makeAdmin(db().knex);
    const result = await cli(['reset', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Reset: dropped 14 tables \(2 rows\)/);
    expect((await migrationStatus(db().knex)).pending).toEqual([]);
    expect((await snapshot(db().knex)).users).toBe(0);
  });
});
