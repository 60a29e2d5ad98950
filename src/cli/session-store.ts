import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NotAuthenticatedError } from '../domain/errors.js';
import { describeTarget, targetKey, type DatabaseTarget } from '../db/target.js';

/**
 * This terminal's session token for one database, in `${XDG_CONFIG_HOME:-~/.config}/clinic/sessions/`:
 * a 0600 file in a 0700 directory, named by a hash of the database's identity so that the embedded
 * database and each PostgreSQL database keep their sessions apart.
 */
export interface StoredSession {
  token: string;
  database: string;
  createdAt: string;
}

export function sessionDirectory(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'clinic', 'sessions');
}

export function sessionFilePath(env: NodeJS.ProcessEnv, target: DatabaseTarget): string {
  const name = createHash('sha256').update(targetKey(target), 'utf8').digest('hex').slice(0, 32);
  return path.join(sessionDirectory(env), `${name}.json`);
}

/** The stored token, or undefined when this terminal is not logged in to this database. */
export async function readSession(env: NodeJS.ProcessEnv, target: DatabaseTarget): Promise<StoredSession | undefined> {
  const file = sessionFilePath(env, target);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if ((stat.mode & 0o077) !== 0) {
      throw new NotAuthenticatedError(`The session file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); refusing to use it.`, {
        remedy: `Run \`chmod 600 ${file}\`, or run \`clinic login\` again.`,
      });
    }
    const parsed = JSON.parse(await handle.readFile('utf8')) as Partial<StoredSession>;
    if (typeof parsed.token !== 'string' || parsed.token === '') return undefined;
    return { token: parsed.token, database: String(parsed.database ?? ''), createdAt: String(parsed.createdAt ?? '') };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    await handle.close();
  }
}

/** Writes the token atomically: a new 0600 file renamed over the old one, in a 0700 directory. */
export async function writeSession(env: NodeJS.ProcessEnv, target: DatabaseTarget, token: string, now: Date): Promise<string> {
  const file = sessionFilePath(env, target);
  const directory = path.dirname(file);
  await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(directory), 0o700);
  await fs.chmod(directory, 0o700);
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const content: StoredSession = { token, database: describeTarget(target), createdAt: now.toISOString() };
  const handle = await fs.open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify(content)}\n`);
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
  return file;
}

export async function removeSession(env: NodeJS.ProcessEnv, target: DatabaseTarget): Promise<void> {
  await fs.rm(sessionFilePath(env, target), { force: true });
}
