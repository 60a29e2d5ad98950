import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NotAuthenticatedError } from '../domain/errors.js';
import { describeTarget, targetKey, type DatabaseTarget } from '../db/target.js';
import { MAX_SESSION_ABSOLUTE_HOURS } from '../domain/settings/limits.js';
import type { ControllingTerminal } from './terminal.js';

/**
 * A session token for one database, in `${XDG_CONFIG_HOME:-~/.config}/clinic/sessions/`: a 0600
 * file in a 0700 directory, named by a hash of the database's identity so that the embedded
 * database and each PostgreSQL database keep their sessions apart, and, on a terminal, by the
 * terminal's key too (one session per terminal window, like sudo's tickets; see terminal.ts).
 * Commands without a terminal share one session per database.
 */
export interface StoredSession {
  token: string;
  database: string;
  /** the terminal's device when the session belongs to one; null: the session of commands without a terminal */
  terminal: string | null;
  createdAt: string;
}

export function sessionDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'clinic', 'sessions');
}

/** The session file of this database for this terminal, or (null) for commands without a terminal. */
export function sessionFilePath(env: NodeJS.ProcessEnv, target: DatabaseTarget, terminal: ControllingTerminal | null = null): string {
  const name = databaseName(target);
  return path.join(sessionDirectory(env), terminal ? `${terminalPrefix(name)}${terminal.key}.json` : `${name}.json`);
}

/** What names a database's session files: a hash of its identity, never of a password. */
function databaseName(target: DatabaseTarget): string {
  return createHash('sha256').update(targetKey(target), 'utf8').digest('hex').slice(0, 32);
}

const terminalPrefix = (name: string) => `${name}.tty-`;

/** The stored token, or undefined when this terminal (or, with null, the no-terminal scope) is not logged in to this database. */
export async function readSession(env: NodeJS.ProcessEnv, target: DatabaseTarget, terminal: ControllingTerminal | null): Promise<StoredSession | undefined> {
  const file = sessionFilePath(env, target, terminal);
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the command (it is then refused as not a file).
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    // Anything but a regular file (a directory, a device) holds no session of ours.
    if (!stat.isFile()) return undefined;
    if ((stat.mode & 0o077) !== 0) {
      throw new NotAuthenticatedError(`The session file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); refusing to use it.`, {
        remedy: `Run \`chmod 600 ${file}\`, or run \`clinic login\` again.`,
      });
    }
    const parsed: unknown = JSON.parse(await handle.readFile('utf8'));
    if (!isSessionShape(parsed)) return undefined;
    return { token: parsed.token, database: String(parsed.database ?? ''), terminal: terminal?.device ?? null, createdAt: String(parsed.createdAt ?? '') };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    await handle.close();
  }
}

function isSessionShape(value: unknown): value is Partial<StoredSession> & { token: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { token } = value as { token?: unknown };
  return typeof token === 'string' && token !== '';
}

/** Writes the token atomically: a new 0600 file renamed over the old one, in a 0700 directory. */
export async function writeSession(
  env: NodeJS.ProcessEnv,
  target: DatabaseTarget,
  terminal: ControllingTerminal | null,
  token: string,
  now: Date,
): Promise<string> {
  const file = sessionFilePath(env, target, terminal);
  const directory = path.dirname(file);
  await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(directory), 0o700);
  await fs.chmod(directory, 0o700);
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const content: StoredSession = { token, database: describeTarget(target), terminal: terminal?.device ?? null, createdAt: now.toISOString() };
  const handle = await fs.open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify(content)}\n`);
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    if (['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      throw new NotAuthenticatedError(`Cannot store the session: ${file} is a directory.`, { remedy: `Remove ${file}, then run \`clinic login\` again.` });
    }
    throw error;
  }
  await pruneEndedTerminalSessions(directory, target, now);
  return file;
}

/**
 * Terminal windows close without logging out, so their session files would pile up: a login
 * removes this database's terminal session files written longer ago than the longest absolute
 * limit a clinic may set. Their sessions have ended whatever the setting; no open one is touched.
 */
async function pruneEndedTerminalSessions(directory: string, target: DatabaseTarget, now: Date): Promise<void> {
  const prefix = terminalPrefix(databaseName(target));
  const endedBefore = now.getTime() - MAX_SESSION_ABSOLUTE_HOURS * 3_600_000;
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.json')) continue; // the file just written is new: it stays
    const stale = path.join(directory, name);
    const stat = await fs.lstat(stale).catch(() => undefined);
    // Tidying only: a file that cannot be removed must not fail the login that has just succeeded.
    if (stat?.isFile() && stat.mtimeMs < endedBefore) await fs.rm(stale, { force: true }).catch(() => {});
  }
}

export async function removeSession(env: NodeJS.ProcessEnv, target: DatabaseTarget, terminal: ControllingTerminal | null): Promise<void> {
  await fs.rm(sessionFilePath(env, target, terminal), { force: true });
}
