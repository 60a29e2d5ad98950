import { lstatSync, chmodSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseUnavailableError, ValidationError, type ClinicError } from './errors.js';

/**
 * The embedded data directory as clinic keeps it: a real directory (not a symbolic link), mode
 * 0700, nothing inside readable by others. PGlite creates its files 0666 whatever the umask (it
 * chmods them after creating them), so the directory is made 0700 before the database opens, which
 * keeps everyone else out at once, and every mode inside is tightened after it closes (~30 ms for
 * the ~1,000 files of a data directory).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  const existing = await fs.lstat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing?.isSymbolicLink()) {
    const real = await fs.realpath(dataDir).catch(() => undefined);
    throw new DatabaseUnavailableError(`The data directory ${dataDir} is a symbolic link${real ? ` to ${real}` : ''}; clinic does not follow it.`, {
      remedy: real ? `Name the directory itself: --data-dir ${real}` : 'Remove the link, or choose another directory with --data-dir.',
    });
  }
  if (existing && !existing.isDirectory()) throw notADirectory(dataDir, dataDir);
  const uid = process.getuid?.();
  if (existing && uid !== undefined && existing.uid !== uid) {
    // Even root must not take over another user's clinic: the server would own its files from then on.
    throw new DatabaseUnavailableError(`The data directory ${dataDir} belongs to another user (uid ${existing.uid}); refusing to open it.`, {
      remedy: 'Run clinic as the owner of that directory, or choose another with --data-dir.',
    });
  }
  if (!existing) await fs.mkdir(dataDir, { mode: 0o700 });
  else if ((existing.mode & 0o077) !== 0) await fs.chmod(dataDir, 0o700);
}

/** Group and other lose every permission, on the directory and everything below it; links are not followed. */
export function tightenModes(dataDir: string): void {
  const pending = [dataDir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const stat = lstatSync(current);
    if (stat.isSymbolicLink()) continue;
    if ((stat.mode & 0o077) !== 0) chmodSync(current, stat.mode & 0o700);
    if (stat.isDirectory()) for (const name of readdirSync(current)) pending.push(path.join(current, name));
  }
}

const dataDirOfError = new WeakMap<object, string>();

/** Remembers that a query on this data directory failed with `error` (see dataDirFailure). */
export function noteDataDir(error: unknown, dataDir: string): void {
  if (typeof error === 'object' && error !== null) dataDirOfError.set(error, dataDir);
}

/** A query error of the embedded database that is the file system's fault, as toDataDirError sees it. */
export function dataDirFailure(error: unknown): ClinicError | undefined {
  const dataDir = typeof error === 'object' && error !== null ? dataDirOfError.get(error) : undefined;
  return dataDir === undefined ? undefined : toDataDirError(error, dataDir);
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A failure of the file system under the data directory, as the user has to see it: which
 * directory, what went wrong, what to do. Undefined when the error is not one of these.
 */
export function toDataDirError(error: unknown, dataDir: string): ClinicError | undefined {
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  const file = (error as NodeJS.ErrnoException | null)?.path ?? dataDir;
  const options = { cause: error };
  if (isDiskFull(error)) {
    return new DatabaseUnavailableError(
      `No space left on the disk that holds the embedded database at ${dataDir}${errno && DISK_FULL.has(errno) ? ` (${errno})` : ''}.`,
      {
        ...options,
        remedy: `Free some space on that disk (see \`df ${path.dirname(dataDir)}\`), or raise the quota, then run the command again.`,
      },
    );
  }
  switch (errno) {
    case 'EACCES':
      return new DatabaseUnavailableError(`Permission denied on ${file} (the embedded database at ${dataDir}).`, {
        ...options,
        remedy: `Check the owner and permissions of ${file}, or choose another directory with --data-dir.`,
      });
    case 'EPERM':
      return new DatabaseUnavailableError(`Operation not permitted on ${file} (the embedded database at ${dataDir}): it may belong to another user.`, {
        ...options,
        remedy: `Run clinic as the owner of ${file}, or choose another directory with --data-dir.`,
      });
    case 'EROFS':
      return new DatabaseUnavailableError(`The embedded database at ${dataDir} is on a read-only file system.`, {
        ...options,
        remedy: 'Remount the file system read-write, or choose another directory with --data-dir.',
      });
    case 'EIO':
    case '58030':
      return new DatabaseUnavailableError(`Input/output error on ${file} (the embedded database at ${dataDir}): the disk may be failing.`, {
        ...options,
        remedy: 'Check the disk (dmesg, smartctl); restore the clinic from an export if the data is damaged.',
      });
    case 'ENOTDIR':
    case 'EEXIST':
      return notADirectory(dataDir, file, error);
    case 'ELOOP':
      return new ValidationError(`The data directory ${dataDir} cannot be reached: too many levels of symbolic links.`, {
        ...options,
        remedy: 'Choose another directory with --data-dir.',
      });
    default:
      return undefined;
  }
}

/**
 * PGlite's start-up on a full disk fails with "PGlite failed to initialize properly" and no errno:
 * less than 1 MB free beside the data directory is then taken as the cause.
 */
export async function diskFullAfterFailure(error: unknown, dataDir: string): Promise<ClinicError | undefined> {
  const stats = await fs.statfs(dataDir).catch(() => undefined);
  if (!stats || stats.bavail * stats.bsize >= 1024 * 1024) return undefined;
  return toDataDirError(Object.assign(new Error('No space left on device', { cause: error }), { code: 'ENOSPC' }), dataDir);
}

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // PGlite reports a full disk as PostgreSQL does: SQLSTATE 53100 "could not extend file ...: No space left on device".
  return (
    (typeof code === 'string' && (DISK_FULL.has(code) || code === '53100')) ||
    /No space left on device|Disk quota exceeded/.test(String((error as Error | null)?.message))
  );
}

function notADirectory(dataDir: string, file: string, cause?: unknown): ValidationError {
  const inTheWay = file === dataDir ? dataDir : (firstFileAbove(dataDir) ?? file);
  return new ValidationError(
    `The data directory ${dataDir} cannot be a directory: ${inTheWay === dataDir ? 'it exists and is not a directory' : `${inTheWay} is a file`}.`,
    { ...(cause === undefined ? {} : { cause }), remedy: 'Choose another directory with --data-dir (or CLINIC_DATA_DIR).' },
  );
}

function firstFileAbove(dataDir: string): string | undefined {
  for (let current = dataDir; current !== path.dirname(current); current = path.dirname(current)) {
    try {
      if (!lstatSync(current).isDirectory()) return current;
    } catch {
      // Missing or unreadable: look further up.
    }
  }
  return undefined;
}
