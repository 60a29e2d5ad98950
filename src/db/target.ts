import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../domain/errors.js';

/** Where the data lives: an embedded PGlite directory or a PostgreSQL server. */
export type DatabaseTarget =
  | { backend: 'embedded'; dataDir: string }
  | { backend: 'postgres'; url: string };

export interface TargetChoice {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

/** DESIGN §2: --database-url, CLINIC_DATABASE_URL, DATABASE_URL; otherwise the embedded data directory. */
export function resolveTarget(choice: TargetChoice, env: NodeJS.ProcessEnv): DatabaseTarget {
  const url = choice.databaseUrl ?? nonEmpty(env.CLINIC_DATABASE_URL) ?? nonEmpty(env.DATABASE_URL);
  if (url) return { backend: 'postgres', url };
  if (choice.dataDir?.trim() === '') {
    // path.resolve('') is the current directory: an empty variable expanded into --data-dir must not land there.
    throw new ValidationError('--data-dir is empty.', { remedy: 'Name a directory, or leave out --data-dir to use CLINIC_DATA_DIR or the default.' });
  }
  const dataDir = choice.dataDir ?? nonEmpty(env.CLINIC_DATA_DIR) ?? defaultDataDir(env);
  return { backend: 'embedded', dataDir: path.resolve(dataDir) };
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = nonEmpty(env.XDG_DATA_HOME) ?? path.join(env.HOME ?? os.homedir(), '.local', 'share');
  return path.join(base, 'clinic');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A stable name for the database, safe to show and to use as a file name part (no password). */
export function describeTarget(target: DatabaseTarget): string {
  if (target.backend === 'embedded') return `embedded database at ${target.dataDir}`;
  return `PostgreSQL at ${redactUrl(target.url)}`;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Identifies one database for keeping sessions apart: the data directory, or server + database + user. */
export function targetKey(target: DatabaseTarget): string {
  if (target.backend === 'embedded') return `embedded:${target.dataDir}`;
  try {
    const u = new URL(target.url);
    const database = u.pathname.replace(/^\//, '') || u.username || 'postgres';
    return `postgres:${u.username}@${u.hostname}:${u.port || '5432'}/${database}`;
  } catch {
    return `postgres:${target.url}`;
  }
}
