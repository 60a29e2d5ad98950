import { expect, it } from 'vitest';
import { migrateLatest, rollbackLast } from '../../src/db/migrations.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';

/**
 * The two reasons that come from the database rather than a rule: an embedded database busy with
 * another command's transaction (LOCKED, embedded only) and a server schema behind this clinic
 * (PENDING_MIGRATIONS, PostgreSQL only: the embedded database migrates itself).
 */
describeBackends('database error reasons', (db) => {
  it('LOCKED: exit 8, code DATABASE_UNAVAILABLE, while another process holds the embedded database', async (context) => {
    if (db().backend !== 'embedded') return context.skip();
    const target = db().target as { dataDir: string };
    // The test holds a transaction on the directory's server, as another clinic command would.
    const holding = await db().knex.transaction();
    try {
      await holding.raw('SELECT 1');
      const result = await runCli(['db', 'status', '--json', '--data-dir', target.dataDir, '--lock-timeout', '1']);
      expect(result.code, result.stderr).toBe(8);
      expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: 'LOCKED' });
    } finally {
      await holding.rollback();
    }
  });

  it('PENDING_MIGRATIONS: exit 8, code DATABASE_UNAVAILABLE, on a server whose schema is behind', async (context) => {
    if (db().backend !== 'postgres') return context.skip();
    const target = db().target as { url: string };
    await rollbackLast(db().knex);
    try {
      const result = await runCli(['users', 'list', '--json', '--database-url', target.url], { env: { CLINIC_TOKEN: 'clinic_pat_unused' } });
      expect(result.code, result.stderr).toBe(8);
      expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: 'PENDING_MIGRATIONS' });
    } finally {
      await migrateLatest(db().knex);
    }
  });
});
