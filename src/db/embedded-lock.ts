import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseUnavailableError } from '../domain/errors.js';

/**
 * An exclusive inter-process lock on an embedded data directory, held for the whole life of the
 * PGlite instance. PGlite has no lock of its own and two processes on one directory lose data.
 *
 * The lock is a file beside the directory, created with O_EXCL and holding the owner's pid. A lock
 * whose owner no longer runs is stale; breaking it happens under a second, short-lived mkdir lock so
 * that two waiters cannot both break it and then both believe they hold it.
 */
export interface EmbeddedLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  timeoutMs: number;
  /** Called once when the lock is busy and we start to wait. */
  onWait?: (holderPid: number | undefined) => void;
  pollMs?: number;
}

export async function acquireEmbeddedLock(dataDir: string, options: LockOptions): Promise<EmbeddedLock> {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 50;
  let reportedWait = false;

  for (;;) {
    const holder = await tryCreate(lockPath);
    if (holder === 'acquired') {
      return { path: lockPath, release: () => releaseLock(lockPath) };
    }
    if (holder !== undefined && !isRunning(holder)) {
      await breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new DatabaseUnavailableError(
        `The embedded database at ${dataDir} is in use by another clinic process` +
          `${holder ? ` (pid ${holder})` : ''}; gave up after ${Math.round(options.timeoutMs / 1000)} s.`,
        { remedy: 'Wait for the other command to finish, or raise --lock-timeout.' },
      );
    }
    if (!reportedWait) {
      reportedWait = true;
      options.onWait?.(holder);
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

async function tryCreate(lockPath: string): Promise<'acquired' | number | undefined> {
  try {
    const handle = await fs.open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return 'acquired';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readHolder(lockPath);
  }
}

async function readHolder(lockPath: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(lockPath, 'utf8');
    const pid = Number.parseInt(text, 10);
    // An empty file is a lock being written right now: treat its holder as running.
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakStaleLock(lockPath: string, stalePid: number): Promise<void> {
  const breaker = `${lockPath}.break`;
  try {
    await fs.mkdir(breaker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is breaking it; a breaker left by a killed process is removed after a while.
    const stat = await fs.stat(breaker).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > 5_000) await fs.rm(breaker, { recursive: true, force: true });
    await sleep(20);
    return;
  }
  try {
    if ((await readHolder(lockPath)) === stalePid) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(breaker, { recursive: true, force: true });
  }
}

async function releaseLock(lockPath: string): Promise<void> {
  if ((await readHolder(lockPath)) === process.pid) await fs.rm(lockPath, { force: true });
}
