import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseUnavailableError } from './errors.js';

/**
 * An exclusive inter-process lock on an embedded data directory, held for the whole life of the
 * PGlite instance. PGlite has no lock of its own and two processes on one directory lose data.
 *
 * The lock is a file beside the directory, created with O_EXCL. It names its owner by pid, the
 * pid's start time (/proc/PID/stat field 22) and the boot id, because a pid alone is reused: a
 * lock is stale when its pid no longer runs, runs a process started at another time, or belongs
 * to an earlier boot. A file that cannot be read as a lock is stale once it is a few seconds old
 * (a lock being written is young). Breaking a stale lock happens under a second, short-lived mkdir
 * lock so that two waiters cannot both break it and then both believe they hold it.
 */
export interface EmbeddedLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockOptions {
  timeoutMs: number;
  /** Called once when the lock is busy and we start to wait; `holder` reads "(pid 12) running `clinic db status`". */
  onWait?: (holderPid: number | undefined, holder: string) => void;
  pollMs?: number;
}

/** The owner recorded in a lock file: line 1 the pid, line 2 its start time, line 3 the boot id. */
interface LockOwner {
  pid: number;
  startTime: string | undefined;
  bootId: string | undefined;
}

type LockState =
  | { kind: 'acquired' }
  | { kind: 'gone' }
  | { kind: 'owned'; owner: LockOwner; text: string; mtimeMs: number }
  | { kind: 'unreadable'; text: string; mtimeMs: number };

const UNREADABLE_LOCK_STALE_MS = 3_000;
const BREAKER_STALE_MS = 5_000;

export async function acquireEmbeddedLock(dataDir: string, options: LockOptions): Promise<EmbeddedLock> {
  const lockPath = `${dataDir}.lock`;
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 50;
  const content = await ownLockContent();
  let reportedWait = false;

  for (;;) {
    const state = await tryCreate(lockPath, content);
    if (state.kind === 'acquired') return { path: lockPath, release: () => releaseLock(lockPath, content) };
    if (state.kind === 'gone') continue;
    if (await isStale(state)) {
      await breakStaleLock(lockPath, state.text);
      continue;
    }
    const pid = state.kind === 'owned' ? state.owner.pid : undefined;
    const holder = pid === undefined ? `(lock file ${lockPath} being written or unreadable)` : await describeHolder(pid);
    if (Date.now() >= deadline) {
      throw new DatabaseUnavailableError(
        `The embedded database at ${dataDir} is in use by another clinic process ${holder}; ` + `gave up after ${Math.round(options.timeoutMs / 1000)} s.`,
        { remedy: 'Wait for the other command to finish, or raise --lock-timeout.', reason: 'LOCKED' },
      );
    }
    if (!reportedWait) {
      reportedWait = true;
      options.onWait?.(pid, holder);
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

/** The live owner of the data directory's lock, as "(pid 12) running `…`"; undefined when free or stale. */
export async function lockHolder(dataDir: string): Promise<{ pid: number | undefined; holder: string } | undefined> {
  const lockPath = `${dataDir}.lock`;
  const state = await readLock(lockPath);
  if (state.kind === 'gone' || state.kind === 'acquired' || (await isStale(state))) return undefined;
  const pid = state.kind === 'owned' ? state.owner.pid : undefined;
  return { pid, holder: pid === undefined ? `(lock file ${lockPath} being written or unreadable)` : await describeHolder(pid) };
}

async function tryCreate(lockPath: string, content: string): Promise<LockState> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readLock(lockPath);
  }
  try {
    await handle.writeFile(content);
    await handle.close();
  } catch (error) {
    // A full disk must not leave an empty lock behind that shuts every later command out.
    await handle.close().catch(() => {});
    await fs.rm(lockPath, { force: true });
    throw error;
  }
  return { kind: 'acquired' };
}

async function readLock(lockPath: string): Promise<LockState> {
  let text: string;
  let mtimeMs: number;
  try {
    const stat = await fs.lstat(lockPath);
    if (!stat.isFile()) {
      throw new DatabaseUnavailableError(`The lock file ${lockPath} is not a regular file (a symbolic link or a directory); refusing to use it.`, {
        remedy: `Remove ${lockPath} if no clinic command is running, then run the command again.`,
      });
    }
    mtimeMs = stat.mtimeMs;
    text = await fs.readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  const owner = parseOwner(text);
  return owner ? { kind: 'owned', owner, text, mtimeMs } : { kind: 'unreadable', text, mtimeMs };
}

function parseOwner(text: string): LockOwner | undefined {
  const [pidLine = '', startLine, bootLine] = text.split('\n');
  if (!/^[1-9]\d{0,9}$/.test(pidLine)) return undefined;
  const startTime = startLine && /^\d+$/.test(startLine) ? startLine : undefined;
  const bootId = bootLine && /^[0-9a-f-]+$/.test(bootLine) ? bootLine : undefined;
  return { pid: Number(pidLine), startTime, bootId };
}

async function isStale(state: Extract<LockState, { kind: 'owned' | 'unreadable' }>): Promise<boolean> {
  if (state.kind === 'unreadable') return Math.abs(Date.now() - state.mtimeMs) > UNREADABLE_LOCK_STALE_MS;
  const { owner } = state;
  if (!isRunning(owner.pid)) return true;
  const ourBoot = await bootId();
  if (owner.bootId && ourBoot && owner.bootId !== ourBoot) return true;
  const current = await processStartTime(owner.pid);
  if (current === undefined) return false;
  if (owner.startTime !== undefined) return owner.startTime !== current;
  // A lock of an older clinic holds only a pid: stale if that pid's process began after the lock was written.
  const startedAt = await startTimeAsEpochMs(current);
  return startedAt !== undefined && startedAt > state.mtimeMs + 2_000;
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

async function ownLockContent(): Promise<string> {
  const [startTime, boot] = await Promise.all([processStartTime(process.pid), bootId()]);
  return `${process.pid}\n${startTime ?? ''}\n${boot ?? ''}\n`;
}

/** Field 22 of /proc/PID/stat: clock ticks since boot. Fields are counted after the command name, which may hold spaces and parentheses. */
async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = fields[22 - 3];
  return startTime && /^\d+$/.test(startTime) ? startTime : undefined;
}

async function bootId(): Promise<string | undefined> {
  const text = await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

/** Linux reports start times in USER_HZ ticks (100 per second) since boot; /proc/stat's btime is the boot in seconds. */
async function startTimeAsEpochMs(ticks: string): Promise<number | undefined> {
  const stat = await fs.readFile('/proc/stat', 'utf8').catch(() => undefined);
  const btime = stat?.match(/^btime (\d+)$/m)?.[1];
  return btime === undefined ? undefined : Number(btime) * 1000 + Number(ticks) * 10;
}

/** "(pid 12) running `clinic db status`": the program and its first words up to the first option (options may hold secrets). */
async function describeHolder(pid: number): Promise<string> {
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0').filter((arg) => arg !== '');
  if (args.length === 0) return `(pid ${pid})`;
  let program = path.basename(args.shift()!);
  if (/^node(js)?$/.test(program) && args[0] && !args[0].startsWith('-')) program = path.basename(args.shift()!).replace(/\.[cm]?js$/, '');
  const words = [];
  for (const arg of args) {
    if (arg.startsWith('-') || words.length === 2) break;
    words.push(arg);
  }
  const command = [program, ...words]
    .join(' ')
    .replace(/[\u0000-\u001f\u007f-\u009f`]/g, '?')
    .slice(0, 80);
  return `(pid ${pid}) running \`${command}\``;
}

async function breakStaleLock(lockPath: string, staleText: string): Promise<void> {
  const breaker = `${lockPath}.break`;
  try {
    await fs.mkdir(breaker, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone else is breaking it; a breaker left by a killed process is removed after a while.
    const stat = await fs.stat(breaker).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > BREAKER_STALE_MS) await fs.rm(breaker, { recursive: true, force: true });
    await sleep(20);
    return;
  }
  try {
    const current = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(breaker, { recursive: true, force: true });
  }
}

async function releaseLock(lockPath: string, content: string): Promise<void> {
  const current = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
  if (current === content) await fs.rm(lockPath, { force: true });
}
