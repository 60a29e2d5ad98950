import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseUnavailableError } from '../errors.js';

/** Where the server of one data directory listens and logs: a private (0700) directory of its own. */
export interface ServerPaths {
  readonly dataDir: string;
  /** The 0700 directory holding the sockets and the log; pg's `host`. */
  readonly runDir: string;
  /** The PostgreSQL socket, named as libpq and pg expect it in `host`. */
  readonly socket: string;
  /** The server's own socket for `db server status|stop` (one JSON line each way). */
  readonly control: string;
  readonly log: string;
}

export const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
// sockaddr_un.sun_path is 108 bytes on Linux, one of them the terminating NUL.
const MAX_SOCKET_PATH = 107;

/**
 * The run directory lies next to the data (`DIR.run`) when the socket path fits the limit of
 * Unix sockets; otherwise under $XDG_RUNTIME_DIR/clinic, else /tmp/clinic-UID, named by a hash of
 * the data directory.
 */
export function serverPaths(dataDir: string, env: NodeJS.ProcessEnv = process.env): ServerPaths {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const candidates = [`${dataDir}.run`];
  if (env.XDG_RUNTIME_DIR && path.isAbsolute(env.XDG_RUNTIME_DIR)) candidates.push(path.join(env.XDG_RUNTIME_DIR, 'clinic', hash));
  candidates.push(path.join('/tmp', `clinic-${process.getuid?.() ?? 'user'}`, hash));
  const runDir = candidates.find((dir) => Buffer.byteLength(path.join(dir, SOCKET_NAME)) <= MAX_SOCKET_PATH) ?? candidates.at(-1)!;
  return { dataDir, runDir, socket: path.join(runDir, SOCKET_NAME), control: path.join(runDir, 'control.sock'), log: path.join(runDir, 'server.log') };
}

/**
 * Creates the run directory (and a per-user parent under /tmp or XDG_RUNTIME_DIR) 0700, and
 * refuses one that is a link, belongs to someone else, or is open to others: whoever owns the
 * socket's directory could stand in for the server.
 */
export async function prepareRunDir(paths: ServerPaths): Promise<void> {
  const parent = path.dirname(paths.runDir);
  if (!paths.runDir.endsWith('.run')) {
    await fs.mkdir(parent, { recursive: true, mode: 0o700 });
    await assertPrivateDir(parent);
  }
  await fs.mkdir(paths.runDir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await assertPrivateDir(paths.runDir);
}

async function assertPrivateDir(dir: string): Promise<void> {
  const stat = await fs.lstat(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory()) {
    throw new DatabaseUnavailableError(`The server directory ${dir} is not a directory (a symbolic link or a file); refusing to use it.`, {
      remedy: `Remove ${dir}, then run the command again.`,
    });
  }
  if (uid !== undefined && stat.uid !== uid) {
    throw new DatabaseUnavailableError(`The server directory ${dir} belongs to another user (uid ${stat.uid}); refusing to use it.`, {
      remedy: `Remove ${dir} or ask its owner to; clinic keeps its socket only in a directory of your own.`,
    });
  }
  if ((stat.mode & 0o077) !== 0) await fs.chmod(dir, 0o700);
}

/** The socket file, refused unless it is ours (a socket someone else put there would receive our queries). */
export async function assertOwnSocket(file: string): Promise<boolean> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat) return false;
  const uid = process.getuid?.();
  if (!stat.isSocket() || (uid !== undefined && stat.uid !== uid)) {
    throw new DatabaseUnavailableError(
      `The server socket ${file} is not a socket of yours${uid !== undefined && stat.uid !== uid ? ` (owner uid ${stat.uid})` : ''}; refusing to connect.`,
      {
        remedy: `Remove ${file} if no clinic server runs, then run the command again.`,
      },
    );
  }
  return true;
}
