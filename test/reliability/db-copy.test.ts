import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { NOW } from '../appointments/helpers.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { testDatabaseUrl } from '../support/postgres.js';

const now = () => NOW;
/** An export without the audit rows that copies and exports add after their own reading (and so without the chain head they move). */
const comparable = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/"action":"(database\.copy|clinic\.export)"/.test(line) && !line.includes('"table":"audit_log_chain_head"'))
    .join('\n');

describeBackends('db copy', (db) => {
  const made: TestDatabase[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-copy-'));
    const seeded = await runCli(['db', 'seed', '--demo', '--json'], { database: db().database, now });
    expect(seeded.code, seeded.stderr).toBe(0);
    await db()
      .knex('api_tokens')
      .insert({ user_id: (await db().knex('users').first()).id, name: 'ci', token_hash: 'a'.repeat(64), expires_at: new Date('2030-01-01T00:00:00Z') });
  });
  afterAll(async () => {
    for (const database of made) await database.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('copies the current database into an empty PostgreSQL one and back into a new embedded one: same rows, chain intact', async (context) => {
    if (!testDatabaseUrl()) return context.skip();
    const server = await createTestDatabase('postgres');
    made.push(server);
    const url = (server.target as { url: string }).url;
    const before = await runCli(['export', '--include-credentials'], { database: db().database, now });

    const there = await runCli(['db', 'copy', '--to', url, '--json'], { database: db().database, now });
    expect(there.code, there.stderr).toBe(0);
    const summary = there.json<{ tables: Record<string, number>; switchWith: string }>();
    expect(summary.switchWith).toBe(`CLINIC_DATABASE_URL=${url}`);
    expect(summary.tables.api_tokens).toBe(1);
    expect(Number((await server.knex('appointments').count({ n: '*' }).first())!.n)).toBe(summary.tables.appointments);

    const embeddedDir = path.join(dir, 'back');
    const back = await runCli(['db', 'copy', '--to-data-dir', embeddedDir], { database: server.database, now });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toBe('');
    expect(back.stdout).toContain(`CLINIC_DATA_DIR=${embeddedDir}`);

    const returned = await openDatabase({ backend: 'embedded', dataDir: embeddedDir }, { schema: 'none' });
    try {
      const after = await runCli(['export', '--include-credentials'], { database: returned, now });
      expect(comparable(after.stdout)).toBe(comparable(before.stdout));
      expect(Number((await returned.knex('api_tokens').count({ n: '*' }).first())!.n)).toBe(1);
      const admin = await returned.knex('users').first();
      const verified = await runCli(['audit', 'verify', '--json'], {
        database: returned,
        actor: { id: admin.id, username: admin.username, role: 'admin' },
        now,
      });
      expect(verified.code, verified.stderr).toBe(0);
    } finally {
      await returned.close();
    }
  });

  it('refuses a target that holds a clinic (exit 7 NOT_EMPTY), and a target that is the current database (exit 2)', async (context) => {
    if (!testDatabaseUrl()) return context.skip();
    const busy = await createTestDatabase('postgres');
    made.push(busy);
    await runCli(['db', 'seed', '--json'], { database: busy.database, now });
    const url = (busy.target as { url: string }).url;
    const result = await runCli(['db', 'copy', '--to', url, '--json'], { database: db().database, now });
    expect(result.code, result.stderr).toBe(7);
    expect(JSON.parse(result.stderr).error.reason).toBe('NOT_EMPTY');
    const self =
      db().target.backend === 'postgres' ? ['--to', (db().target as { url: string }).url] : ['--to-data-dir', (db().target as { dataDir: string }).dataDir];
    const same = await runCli(['db', 'copy', ...self], { database: db().database, now });
    expect(same.code, same.stderr).toBe(2);
  });
});
