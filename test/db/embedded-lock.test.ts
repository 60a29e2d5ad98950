import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedLock } from '../../src/db/embedded-lock.js';
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
    const [first, second] = await Promise.all([runWriter(dataDir, 'one', 150), runWriter(dataDir, 'two', 150)]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    // Exactly one of them found the directory busy and said so.
    expect([first.stderr, second.stderr].filter((text) => /waiting for pid \d+/.test(text))).toHaveLength(1);

    const reopened = await db.reopen();
    try {
      const counts = await reopened.knex('audit_log').select('action').count({ n: '*' }).where('action', 'like', 'lock.test.%').groupBy('action').orderBy('action');
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
    await expect(fs.access(`${dataDir}.lock`)).rejects.toThrow();
  });
});
