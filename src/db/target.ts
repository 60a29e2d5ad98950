import os from 'node:os';
import path from 'node:path';
import { ValidationError } from './errors.js';

/** Where the data lives: an embedded PGlite directory or a PostgreSQL server. */
export type DatabaseTarget = { backend: 'embedded'; dataDir: string } | { backend: 'postgres'; url: string };

export interface TargetChoice {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

/**
 * DESIGN §2: --database-url, CLINIC_DATABASE_URL, DATABASE_URL; otherwise the embedded data
 * directory. A flag always wins over the environment: an explicit --data-dir means the embedded
 * database even when DATABASE_URL (which other tools set) is in the environment. Both flags at
 * once are refused by the CLI before this is called.
 */
export function resolveTarget(choice: TargetChoice, env: NodeJS.ProcessEnv): DatabaseTarget {
  if (choice.dataDir !== undefined && choice.databaseUrl === undefined) {
    if (choice.dataDir.trim() === '') {
      // path.resolve('') is the current directory: an empty variable expanded into --data-dir must not land there.
      throw new ValidationError('--data-dir is empty.', { remedy: 'Name a directory, or leave out --data-dir to use CLINIC_DATA_DIR or the default.' });
    }
    return { backend: 'embedded', dataDir: path.resolve(choice.dataDir) };
  }
  const url = choice.databaseUrl ?? nonEmpty(env.CLINIC_DATABASE_URL) ?? nonEmpty(env.DATABASE_URL);
  if (url) return { backend: 'postgres', url };
  const dataDir = nonEmpty(env.CLINIC_DATA_DIR) ?? defaultDataDir(env);
  return { backend: 'embedded', dataDir: path.resolve(dataDir) };
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = nonEmpty(env.XDG_DATA_HOME) ?? path.join(env.HOME ?? os.homedir(), '.local', 'share');
  return path.join(base, 'clinic');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A stable name for the database, safe to show and to store (no credential of any form). */
export function describeTarget(target: DatabaseTarget): string {
  if (target.backend === 'embedded') return `embedded database at ${target.dataDir}`;
  return `PostgreSQL database at ${redactUrl(target.url)}`;
}

// Query parameters that carry a secret (libpq's `password`, `sslpassword`; anything named like one).
const SECRET_PARAMETER = /pass|secret|token|credential/i;
const MASK = '***';

/**
 * The one function that makes a database URL safe to show or store: the password of
 * `user:password@`, secret query parameters (`?password=`, `sslpassword=`) and any inline key
 * material are masked. A URL that cannot be parsed keeps only its scheme and what follows the
 * last `@`, since the credentials are somewhere before it.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
    const at = url.lastIndexOf('@');
    const rest = at >= 0 ? url.slice(at + 1) : url.slice(scheme.length);
    return `${scheme}${at >= 0 ? `${MASK}@` : ''}${rest.replace(/([?&][^=&]*=)[^&]*/g, `$1${MASK}`)}`;
  }
  if (parsed.password) parsed.password = MASK;
  for (const [name, value] of [...parsed.searchParams]) {
    if (SECRET_PARAMETER.test(name) || /-----BEGIN/.test(value)) parsed.searchParams.set(name, MASK);
  }
  // URLSearchParams would show the mask percent-encoded.
  return parsed.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

/** Identifies one database for keeping sessions apart: the data directory, or server + database + user. */
export function targetKey(target: DatabaseTarget): string {
  if (target.backend === 'embedded') return `embedded:${target.dataDir}`;
  try {
    const u = new URL(target.url);
    const query = (name: string) => nonEmpty(u.searchParams.get(name) ?? undefined);
    const user = query('user') ?? decodeURIComponent(u.username);
    const host = query('host') ?? u.hostname;
    const database = query('dbname') ?? (decodeURIComponent(u.pathname.replace(/^\//, '')) || user || 'postgres');
    return `postgres:${user}@${host}:${query('port') ?? (u.port || '5432')}/${database}`;
  } catch {
    return `postgres:${redactUrl(target.url)}`;
  }
}
