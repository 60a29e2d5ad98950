import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedLock } from '../../src/db/embedded-lock.js';
import { serverStatus } from '../../src/db/server/client.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeAdmin, makeStaff, type MadeUser } from '../support/factories.js';
import { startClinic, until, type SpawnResult } from '../support/spawn.js';
import { msSince, STACK_FRAME } from './helpers.js';

/**
 * The embedded database under several processes writing at once: the directory's server makes
 * their transactions take turns. Nothing is lost (every exit-0 write is there, once), nothing is
 * corrupted (the directory reopens; index and table scans agree), and a directory held by a
 * process that is not its server makes a command give up after --lock-timeout.
 */
const WRITERS = 5;
const ROUNDS = 1;

function start(args: string[], env: NodeJS.ProcessEnv) {
  return startClinic(args, { env, timeoutMs: 300_000 });
}

describe('embedded database, several writers at once', () => {
  let db: TestDatabase;
  let admin: MadeUser;
  const writers: Array<{ user: MadeUser; token: string }> = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    await storeInitialTimeZone(db.knex, 'UTC');
    admin = await makeAdmin(db.knex, { username: 'boss' });
    for (let i = 0; i < WRITERS; i++) {
      const user = await makeStaff(db.knex, { username: `writer${i}` });
      writers.push({ user, token: (await createApiToken(db.context(user), { name: 'load' })).token });
    }
  });
  afterAll(async () => {
    console.info(`[embedded concurrency] ${JSON.stringify(timings)}`);
    await db?.drop();
  });

  it(`${WRITERS} processes × ${ROUNDS} rounds sending messages while the test holds a transaction: all wait in the server's queue, and all writes land`, async () => {
    const dataDir = db.target.backend === 'embedded' ? db.target.dataDir : '';
    const bodies: string[] = [];
    const runs: SpawnResult[] = [];
    const started = process.hrtime.bigint();
    for (let round = 0; round < ROUNDS; round++) {
      // The test keeps a transaction open on the directory's server until every process waits in the server's queue.
      const holding = await db.knex.transaction();
      await holding.raw('SELECT count(*) FROM messages');
      const processes = writers.map(({ token }, i) => {
        const body = `round ${round} writer ${i} ✓ ${'x'.repeat(i * 100)}`;
        bodies.push(body);
        return start(['messages', 'send', '--to', 'boss', '--body', body, '--data-dir', dataDir, '--lock-timeout', '120'], { CLINIC_TOKEN: token });
      });
      await until(async () => ((await serverStatus(dataDir, process.env))?.waiting ?? 0) >= WRITERS, 180_000);
      await holding.rollback();
      runs.push(...(await Promise.all(processes.map((p) => p.done))));
    }
    timings.writersMs = Math.round(msSince(started));

    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/Waiting|in use/);
      expect(run.stderr).not.toMatch(STACK_FRAME);
    }
    const stored = await db.knex('messages').where({ receiver_id: admin.id }).pluck<string[]>('content');
    expect(stored.sort()).toEqual([...bodies].sort());
  });

  it('a process that cannot get the directory in time exits 8 with a clear message and writes nothing', async () => {
    const before = await db.knex('messages').count<{ n: string }[]>({ n: '*' });
    const dataDir = db.target.backend === 'embedded' ? db.target.dataDir : '';
    // Another process (this one) holds the directory's lock, without a server.
    await db.close();
    const lock = await acquireEmbeddedLock(dataDir, { timeoutMs: 10_000 });
    const started = process.hrtime.bigint();
    const run = await start(['messages', 'send', '--to', 'boss', '--body', 'too late', '--data-dir', dataDir, '--lock-timeout', '1'], {
      CLINIC_TOKEN: writers[0]!.token,
    }).done;
    await lock.release();
    db = await db.reopen();
    timings.lockTimeoutExitMs = Math.round(msSince(started));
    expect(run.code).toBe(8);
    expect(run.stderr).toMatch(/in use by another clinic process \(pid \d+\) running `[^`]*`; gave up after 1 s\./);
    expect(run.stderr).toContain('--lock-timeout');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await db.knex('messages').count<{ n: string }[]>({ n: '*' })).toEqual(before);
  });

  it('SIGKILL of writers at random moments leaves a directory that opens again, consistent, with every finished write', async () => {
    const dataDir = db.target.backend === 'embedded' ? db.target.dataDir : '';
    await db.close();
    const finished: string[] = [];
    const killed: string[] = [];
    const started = process.hrtime.bigint();
    const TRIALS = 5;
    for (let trial = 0; trial < TRIALS; trial++) {
      const body = `killed trial ${trial}`;
      const p = start(['messages', 'send', '--to', 'boss', '--body', body, '--data-dir', dataDir, '--lock-timeout', '60'], {
        CLINIC_TOKEN: writers[trial % WRITERS]!.token,
      });
      // spread the kills over start-up, opening, and the write itself
      await new Promise((resolve) => setTimeout(resolve, 500 + trial * 1500));
      p.child.kill('SIGKILL');
      const run = await p.done;
      (run.code === 0 ? finished : killed).push(body);
    }
    timings.killTrialsMs = Math.round(msSince(started));
    timings.killTrials = TRIALS;
    timings.killedBeforeExit = killed.length;
    // A normal process opens the directory after the kills (the stale lock is broken).
    const after = await start(['messages', 'send', '--to', 'boss', '--body', 'after the kills', '--data-dir', dataDir, '--lock-timeout', '30'], {
      CLINIC_TOKEN: writers[0]!.token,
    }).done;
    expect(after.code, after.stderr).toBe(0);
    db = await db.reopen();
    const contents = await db.knex('messages').pluck<string[]>('content');
    for (const body of [...finished, 'after the kills']) expect(contents.filter((c) => c === body)).toHaveLength(1);
    for (const body of killed) expect(contents.filter((c) => c === body).length).toBeLessThanOrEqual(1);
    await expectConsistent(db);
  });

  it('the directory stays consistent: index scans and table scans agree, constraints hold', async () => {
    await expectConsistent(db);
  });
});

/** The same counts by sequential and by index scans, and no dangling references. */
async function expectConsistent(db: TestDatabase): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_indexscan = off');
    await trx.raw('SET LOCAL enable_bitmapscan = off');
    const seq = await trx.raw<{ rows: Array<{ n: number }> }>('SELECT count(*)::int AS n FROM messages WHERE receiver_id IS NOT NULL');
    await trx.raw('SET LOCAL enable_indexscan = on');
    await trx.raw('SET LOCAL enable_seqscan = off');
    const byIndex = await trx.raw<{ rows: Array<{ n: number }> }>('SELECT count(*)::int AS n FROM messages m WHERE m.receiver_id IN (SELECT id FROM users)');
    expect(byIndex.rows[0]!.n).toBe(seq.rows[0]!.n);
    const users = await trx.raw<{ rows: Array<{ n: number }> }>('SELECT count(*)::int AS n FROM users WHERE username IS NOT NULL');
    expect(users.rows[0]!.n).toBeGreaterThan(0);
  });
  const dangling = await db.knex.raw<{ rows: Array<{ n: number }> }>(
    'SELECT count(*)::int AS n FROM messages m LEFT JOIN users s ON s.id = m.sender_id LEFT JOIN users r ON r.id = m.receiver_id WHERE s.id IS NULL OR r.id IS NULL',
  );
  expect(dangling.rows[0]!.n).toBe(0);
  const audit = await db.knex.raw<{ rows: Array<{ n: number }> }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'messages.send'");
  const sent = await db.knex.raw<{ rows: Array<{ n: number }> }>('SELECT count(*)::int AS n FROM messages');
  // every stored message was audited in the same transaction
  expect(audit.rows[0]!.n).toBe(sent.rows[0]!.n);
}
