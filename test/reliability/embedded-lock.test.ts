import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedLock } from '../../src/db/embedded-lock.js';
import { serverStatus, stopServer } from '../../src/db/server/client.js';
import { serverPaths } from '../../src/db/server/paths.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { fixture, spawnClinic, spawnNode } from '../support/spawn.js';

const writer = fixture('write-rows.mjs');

const runWriter = (dataDir: string, tag: string, count: number) => spawnNode(writer, [dataDir, tag, String(count)], { timeoutMs: 120_000 });

describe('embedded database lock', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    if (db.target.backend !== 'embedded') throw new Error('embedded only');
    dataDir = db.target.dataDir;
    await db.close();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('makes a second process wait for the first, and loses no row', async () => {
    const logFile = serverPaths(dataDir).log;
    const logBefore = (await fs.readFile(logFile, 'utf8').catch(() => '')).length;
    const [first, second] = await Promise.all([runWriter(dataDir, 'one', 150), runWriter(dataDir, 'two', 150)]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    // Exactly one process opened the directory: the one server both of them talked to.
    const log = (await fs.readFile(logFile, 'utf8')).slice(logBefore);
    expect(log.split('\n').filter((line) => line.includes(` serving ${dataDir} `))).toHaveLength(1);

    const reopened = await db.reopen();
    try {
      const counts = await reopened
        .knex('audit_log')
        .select('action')
        .count({ n: '*' })
        .where('action', 'like', 'lock.test.%')
        .groupBy('action')
        .orderBy('action');
      expect(counts).toEqual([
        { action: 'lock.test.one', n: 150 },
        { action: 'lock.test.two', n: 150 },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('gives up after --lock-timeout with exit 8 and names the data directory', async () => {
    const lock = await acquireEmbeddedLock(dataDir, { timeoutMs: 1_000 });
    try {
      const started = Date.now();
      const result = await spawnClinic(['db', 'status', '--data-dir', dataDir, '--lock-timeout', '1']);
      expect(result.code).toBe(8);
      expect(result.stderr).toContain(dataDir);
      expect(result.stderr).toMatch(/in use by another clinic process \(pid \d+\)/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    } finally {
      await lock.release();
    }
  });

  it('breaks the lock of a process that no longer runs', async () => {
    await fs.writeFile(`${dataDir}.lock`, '999999\n');
    const result = await spawnClinic(['db', 'status', '--json', '--data-dir', dataDir, '--lock-timeout', '5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ backend: 'embedded', upToDate: true });
    // The stale lock was broken: the lock now names the server that the command started, and goes with it.
    const server = await serverStatus(dataDir, process.env);
    expect((await fs.readFile(`${dataDir}.lock`, 'utf8')).split('\n')[0]).toBe(String(server?.pid));
    await stopServer(dataDir, process.env);
    await expect(fs.access(`${dataDir}.lock`)).rejects.toThrow();
  });
});
