import { randomBytes } from 'node:crypto';
import { write as writeFd } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** A file a command writes from start to end (`clinic export --output`, `--rejects`). */
export interface OutputFile {
  /** Writes text; a failure is an OutputFileError naming the file. */
  write(text: string): Promise<void>;
  /** The writing is complete: the file takes its place. */
  commit(): Promise<void>;
  /** The writing failed: whatever was at the path before stays as it was. */
  discard(): Promise<void>;
}

/**
 * Opens `target` for writing:
 * - a descriptor of this process named as a file (/dev/stdout, /dev/stderr, /dev/fd/N, as a shell's
 *   `>(…)` gives) is written as it is, so `2>>log` keeps appending and nothing is replaced;
 * - a regular file, or a new one, is written (0600) under a temporary name beside it — beside the
 *   file a link points to — and renamed over it at the end, so a failed run leaves the old file or
 *   none, never half of one, and a link stays a link;
 * - anything else that exists (a device such as /dev/null, a FIFO) is written in place: renaming
 *   over it would replace the device node itself (as root, /dev/null would become a file).
 */
export async function openOutputFile(target: string): Promise<OutputFile> {
  const failed = (error: unknown) => new OutputFileError(target, error);
  const fd = await ownDescriptor(target);
  if (fd !== undefined) {
    const write = promisify(writeFd);
    return {
      write: async (text) => {
        const bytes = Buffer.from(text);
        for (let at = 0; at < bytes.length;)
          at += (await write(fd, bytes, at, bytes.length - at).catch((error: unknown) => Promise.reject(failed(error)))).bytesWritten;
      },
      commit: async () => {},
      discard: async () => {},
    };
  }
  const real = await fs.realpath(target).catch(() => path.resolve(target));
  const existing = await fs.stat(real).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) {
    const handle = await fs.open(real, 'w').catch((error: unknown) => Promise.reject(failed(error)));
    return {
      write: (text) =>
        handle.write(text).then(
          () => undefined,
          (error: unknown) => Promise.reject(failed(error)),
        ),
      commit: () => handle.close().catch((error: unknown) => Promise.reject(failed(error))),
      discard: () => handle.close().catch(() => undefined),
    };
  }
  const temporary = path.join(path.dirname(real), `.${path.basename(real)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temporary, 'wx', 0o600).catch((error: unknown) => Promise.reject(failed(error)));
  return {
    write: (text) =>
      handle.write(text).then(
        () => undefined,
        (error: unknown) => Promise.reject(failed(error)),
      ),
    commit: async () => {
      try {
        await handle.close();
        await fs.rename(temporary, real);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw failed(error);
      }
    },
    discard: async () => {
      await handle.close().catch(() => undefined);
      await fs.rm(temporary, { force: true });
    },
  };
}

const OWN_DESCRIPTOR = /^\/(?:dev\/fd|proc\/self\/fd|proc\/(\d+)\/fd)\/(\d+)$/;
const STANDARD_STREAM: Record<string, number> = { '/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2 };

/** The descriptor `target` names, when it is one of this process's (directly or by one link). */
async function ownDescriptor(target: string): Promise<number | undefined> {
  const named = path.resolve(target);
  const link = await fs.readlink(named).catch(() => undefined);
  for (const candidate of [named, link === undefined ? undefined : path.resolve(path.dirname(named), link)]) {
    if (candidate === undefined) continue;
    if (candidate in STANDARD_STREAM) return STANDARD_STREAM[candidate];
    const match = OWN_DESCRIPTOR.exec(candidate);
    if (match && (match[1] === undefined || Number(match[1]) === process.pid)) return Number(match[2]);
  }
  return undefined;
}

/** A file given to write to could not be written (full disk, permissions): exit 1, code OUTPUT. */
export class OutputFileError extends Error {
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    super(`Could not write ${target} (${describeWriteFailure(cause)}).`, { cause });
    this.name = 'OutputFileError';
  }
}

/** Why a write failed, in words (the errno too, for a search). */
export function describeWriteFailure(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOSPC':
      return 'no space left on the device, ENOSPC';
    case 'EDQUOT':
      return 'disk quota exceeded, EDQUOT';
    case 'EACCES':
    case 'EPERM':
      return `permission denied, ${code}`;
    case 'ENOENT':
      return 'its directory does not exist, ENOENT';
    default:
      return code ?? message;
  }
}
