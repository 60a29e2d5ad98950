import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverStatus, stopServer } from '../../src/db/server/client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { fixture, spawnClinic, startClinic, startNode, until } from '../support/spawn.js';
import { STACK_FRAME } from './helpers.js';

const holdLock = fixture('hold-lock.mjs');

/**
 * Lock files that no running clinic owns must not shut clinic out: a pid reused by an unrelated
 * process, a lock of an older clinic (pid only), an empty or garbled file. A live holder is named.
 */
describe('embedded lock: who holds it', () => {
  let db: TestDatabase;
  let dataDir: string;
  let lockPath: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('embedded');
    if (db.target.backend !== 'embedded') throw new Error('embedded only');
    dataDir = db.target.dataDir;
    lockPath = `${dataDir}.lock`;
    await db.close();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await fs.rm(lockPath, { force: true });
  });

  afterAll(async () => {
    await db.drop();
  });

  const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

  /** An unrelated long-running process: its pid is alive, but it never took the lock. */
  function unrelatedProcess(): number {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  }

  async function ageFile(file: string, seconds: number): Promise<void> {
    const then = new Date(Date.now() - seconds * 1000);
    await fs.utimes(file, then, then);
  }

  async function expectOpens(lockTimeout = '5') {
    const result = await spawnClinic(['db', 'status', '--json', '--data-dir', dataDir, '--lock-timeout', lockTimeout]);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ backend: 'embedded' });
    // The stale lock was broken: it now names the server the command started, and goes with it.
    const server = await serverStatus(dataDir, process.env);
    expect((await fs.readFile(lockPath, 'utf8')).split('\n')[0]).toBe(String(server?.pid));
    await stopServer(dataDir, process.env);
    await expect(fs.access(lockPath)).rejects.toThrow();
    return result;
  }

  it('a lock whose pid now belongs to an unrelated process (another start time) is stale', async () => {
    const pid = unrelatedProcess();
    const bootId = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    await fs.writeFile(lockPath, `${pid}\n1\n${bootId}\n`);
    await expectOpens();
  });

  it('a lock written before the last boot is stale, even if its pid runs now', async () => {
    const pid = unrelatedProcess();
    const startTime = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19];
    await fs.writeFile(lockPath, `${pid}\n${startTime}\n00000000-0000-0000-0000-000000000000\n`);
    await expectOpens();
  });

  it("an older clinic's lock (a pid only) whose pid started after the lock was written is stale", async () => {
    const pid = unrelatedProcess();
    await fs.writeFile(lockPath, `${pid}\n`);
    await ageFile(lockPath, 3600);
    await expectOpens();
  });

  for (const [label, content] of [
    ['an empty', ''],
    ['a garbled', 'hello \u0000 world\n'],
    ['a negative-pid', '-5\n'],
  ] as const) {
    it(`${label} lock file older than a few seconds is stale`, async () => {
      await fs.writeFile(lockPath, content);
      await ageFile(lockPath, 10);
      await expectOpens();
    });
  }

  it('a fresh empty lock (being written) is waited for, then broken once it is a few seconds old', async () => {
    await fs.writeFile(lockPath, '');
    const started = Date.now();
    const result = await expectOpens('20');
    expect(result.stderr).toContain(`(lock file ${lockPath} being written or unreadable)`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
  });

  it('a live holder is named by pid and command, in the waiting message and in the exit-8 message', async () => {
    const running = startNode(holdLock, [dataDir], { input: 'open', timeoutMs: 120_000 });
    const holder = running.child;
    children.push(holder);
    await until(() => running.stdout().includes('held') || exited(holder), 30_000, 'the lock holder');
    if (!running.stdout().includes('held')) throw new Error(`the lock holder exited: ${running.stderr()}`);
    const named = `(pid ${holder.pid}) running \`hold-lock ${dataDir}\``;

    const timedOut = await spawnClinic(['db', 'status', '--data-dir', dataDir, '--lock-timeout', '1']);
    expect(timedOut.code).toBe(8);
    expect(timedOut.stderr).toContain(`Waiting for the embedded database at ${dataDir}: in use by another clinic process ${named}`);
    expect(timedOut.stderr).toContain(`in use by another clinic process ${named}; gave up after 1 s.`);

    // The lock is released only once the waiting command has said whom it waits for: a fixed
    // pause would race the command's own start on a loaded machine.
    const waiting = startClinic(['db', 'status', '--json', '--data-dir', dataDir, '--lock-timeout', '30']);
    await until(() => waiting.stderr().includes(named) || exited(waiting.child), 30_000, 'the waiting message');
    holder.stdin.end();
    const result = await waiting.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(named);
  });
});
