import { readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import type { ClientConfig } from 'pg';
import { DatabaseUnavailableError, ValidationError } from './errors.js';

/**
 * A PostgreSQL URL read the way libpq reads it, turned into node-postgres options. node-postgres
 * is never given the URL itself: it would treat sslmode=require as verify-full (and warn on
 * stderr), and look up ~/.pgpass with a deprecation warning. Here every TLS option is built
 * explicitly and the password comes from the URL, PGPASSWORD or the password file, as in libpq.
 */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface PostgresSettings {
  /** For pg.Client, without `ssl` (see `ssl` and `sslFallback`). */
  readonly client: ClientConfig;
  readonly host: string;
  readonly user: string;
  readonly sslMode: SslMode;
  /** Which setting chose the mode, so a TLS failure can name what to change. */
  readonly sslModeSetting: string;
  readonly rootCertSetting: string;
  /** The TLS options of the first attempt, or false for none. */
  readonly ssl: false | ConnectionOptions;
  /** prefer/allow: a server that refuses TLS is tried again without it, as libpq does. */
  readonly sslFallback: boolean;
  /** Filled in when the server asked for a password: where it came from, or why none was found. */
  readonly password: { source?: string; note?: string };
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const KNOWN_PARAMETERS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'application_name',
  'connect_timeout',
  'options',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'ssl',
]);

const URL_REMEDY =
  'Write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE, with characters such as @ : / ? # % and spaces in the user name or password percent-encoded (e.g. @ as %40, # as %23, / as %2F).';

export function postgresSettings(url: string, env: NodeJS.ProcessEnv): PostgresSettings {
  const parsed = parseUrl(url);
  const query = (name: string) => nonEmpty(parsed.searchParams.get(name) ?? undefined);
  for (const name of parsed.searchParams.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) {
      throw new ValidationError(`The database URL has an unknown parameter "${name}".`, {
        remedy:
          'Remove it; clinic reads the libpq parameters host, port, dbname, user, password, sslmode, sslrootcert, sslcert, sslkey, sslpassword, application_name, connect_timeout and options.',
      });
    }
  }
  const user = query('user') ?? decode(parsed.username) ?? nonEmpty(env.PGUSER) ?? os.userInfo().username;
  const host =
    query('host') ??
    (nonEmpty(parsed.hostname.replace(/^\[(.*)\]$/, '$1')) ? decode(parsed.hostname.replace(/^\[(.*)\]$/, '$1')) : undefined) ??
    nonEmpty(env.PGHOST) ??
    'localhost';
  const port = readPort(query('port') ?? nonEmpty(parsed.port) ?? nonEmpty(env.PGPORT) ?? '5432');
  const database = query('dbname') ?? decode(parsed.pathname.replace(/^\//, '')) ?? nonEmpty(env.PGDATABASE) ?? user;
  const timeout = query('connect_timeout') ?? nonEmpty(env.PGCONNECT_TIMEOUT);
  const urlPassword = query('password') ?? decode(parsed.password);
  const passwordState: { source?: string; note?: string } = urlPassword === undefined ? {} : { source: 'the database URL' };
  const tls = host.startsWith('/')
    ? { sslMode: 'disable' as const, sslModeSetting: 'sslmode', rootCertSetting: 'sslrootcert', ssl: false as const, sslFallback: false }
    : tlsOptions(
        {
          mode: query('sslmode') ?? legacySsl(query('ssl')),
          rootCert: query('sslrootcert'),
          cert: query('sslcert'),
          key: query('sslkey'),
          keyPassword: query('sslpassword'),
        },
        env,
        host,
      );
  const client: ClientConfig = {
    host,
    port,
    user,
    database,
    application_name: query('application_name') ?? nonEmpty(env.PGAPPNAME) ?? 'clinic',
    connectionTimeoutMillis: timeout !== undefined && Number(timeout) > 0 ? Math.max(2, Number(timeout)) * 1000 : 10_000,
    ...(query('options') ? { options: query('options') } : {}),
    // Always a string or a function, so that pg never runs its own (warning) password-file lookup;
    // the function may resolve to undefined (no password), which pg accepts though its types do not say so.
    password: urlPassword ?? ((() => lookUpPassword(env, { host, port, database, user }, passwordState)) as () => Promise<string>),
  };
  return { client, host, user, password: passwordState, ...tls };
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const port = /^[a-z]+:\/\/(?:[^@/?#]*@)?[^:/?#]*:(\d+)(?:[/?#]|$)/i.exec(url)?.[1];
    if (port !== undefined && Number(port) > 65535) {
      throw new ValidationError(`The database URL names port ${port}, which is out of range (1-65535).`, { remedy: 'Correct the port in the URL.' });
    }
    throw new ValidationError('The database URL cannot be read (is a character in the password not percent-encoded?).', { remedy: URL_REMEDY });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ValidationError(`The database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//.`, { remedy: URL_REMEDY });
  }
  return parsed;
}

function decode(part: string): string | undefined {
  if (part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ValidationError(
      'The database URL has a broken percent-encoding (a % not followed by two hex digits) in its user name, password, host or database.',
      {
        remedy: URL_REMEDY,
      },
    );
  }
}

function readPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new ValidationError(`The database port ${value} is out of range (1-65535).`, { remedy: 'Correct the port in the URL (or PGPORT).' });
  }
  return port;
}

function legacySsl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return ['true', '1'].includes(value) ? 'require' : ['false', '0'].includes(value) ? 'disable' : value;
}

interface TlsInput {
  mode: string | undefined;
  rootCert: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  keyPassword: string | undefined;
}

/** libpq's table (https://www.postgresql.org/docs/current/libpq-ssl.html), in Node's TLS options. */
function tlsOptions(input: TlsInput, env: NodeJS.ProcessEnv, host: string) {
  const modeSetting = input.mode !== undefined ? 'sslmode in the database URL' : nonEmpty(env.PGSSLMODE) !== undefined ? 'PGSSLMODE' : 'sslmode';
  const modeText = input.mode ?? nonEmpty(env.PGSSLMODE) ?? 'prefer';
  if (!SSL_MODES.includes(modeText as SslMode)) {
    throw new ValidationError(`Invalid sslmode "${modeText}" (${modeSetting}).`, { remedy: `Use one of ${SSL_MODES.join(', ')}.` });
  }
  let mode = modeText as SslMode;
  const rootCertSetting =
    input.rootCert !== undefined ? 'sslrootcert in the database URL' : nonEmpty(env.PGSSLROOTCERT) !== undefined ? 'PGSSLROOTCERT' : 'sslrootcert';
  const base = { sslModeSetting: modeSetting, rootCertSetting };
  if (mode === 'disable') return { ...base, sslMode: mode, ssl: false as const, sslFallback: false };

  const explicitRoot = input.rootCert ?? nonEmpty(env.PGSSLROOTCERT);
  const home = env.HOME ?? os.homedir();
  const defaultRoot = path.join(home, '.postgresql', 'root.crt');
  const options: ConnectionOptions = { rejectUnauthorized: false };
  if (explicitRoot === 'system') {
    if (mode !== 'verify-full') {
      throw new ValidationError(`sslrootcert=system needs sslmode=verify-full, not "${mode}" (${modeSetting}).`, {
        remedy: 'Use sslmode=verify-full, or name a CA file in sslrootcert.',
      });
    }
    options.rejectUnauthorized = true;
  } else {
    // libpq: with a root certificate present, require behaves as verify-ca.
    const rootFile = explicitRoot ?? (mode === 'require' || mode === 'verify-ca' || mode === 'verify-full' ? existingFile(defaultRoot) : undefined);
    if (rootFile === undefined && (mode === 'verify-ca' || mode === 'verify-full')) {
      throw new DatabaseUnavailableError(
        `sslmode=${mode} (${modeSetting}) needs the CA certificate that signed the server's certificate, and the root certificate file "${defaultRoot}" does not exist.`,
        {
          remedy:
            'Set sslrootcert=PATH in the database URL (or PGSSLROOTCERT) to that CA file, sslrootcert=system to trust the system CAs, or sslmode=require to encrypt without verifying the server.',
        },
      );
    }
    if (rootFile !== undefined && mode !== 'prefer' && mode !== 'allow') {
      options.ca = readTlsFile(rootFile, explicitRoot !== undefined ? rootCertSetting : `the default root certificate ${defaultRoot}`);
      options.rejectUnauthorized = true;
      if (mode === 'require') mode = 'verify-ca';
    }
  }
  if (mode === 'verify-full') {
    // node:tls (~6 ms to load) only when a certificate is checked: a connection without TLS never needs it.
    options.checkServerIdentity = (_name: string, cert: PeerCertificate) => process.getBuiltinModule('node:tls').checkServerIdentity(host, cert);
  } else if (options.rejectUnauthorized) {
    options.checkServerIdentity = () => undefined;
  }
  const certFile = input.cert ?? nonEmpty(env.PGSSLCERT);
  const keyFile = input.key ?? nonEmpty(env.PGSSLKEY);
  if (certFile !== undefined) options.cert = readTlsFile(certFile, input.cert !== undefined ? 'sslcert in the database URL' : 'PGSSLCERT');
  if (keyFile !== undefined) options.key = readTlsFile(keyFile, input.key !== undefined ? 'sslkey in the database URL' : 'PGSSLKEY');
  if (input.keyPassword !== undefined) options.passphrase = input.keyPassword;
  return { ...base, sslMode: mode, ssl: options, sslFallback: mode === 'prefer' || mode === 'allow' };
}

function existingFile(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function readTlsFile(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DatabaseUnavailableError(`Cannot read the TLS file "${file}" (${setting}): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`, {
      remedy: `Correct ${setting} so that it names a readable PEM file.`,
    });
  }
}

/** PGPASSWORD, else the password file (PGPASSFILE, else ~/.pgpass), as libpq looks them up. */
async function lookUpPassword(
  env: NodeJS.ProcessEnv,
  where: { host: string; port: number; database: string; user: string },
  state: { source?: string; note?: string },
): Promise<string | undefined> {
  if (env.PGPASSWORD !== undefined) {
    state.source = 'PGPASSWORD';
    return env.PGPASSWORD;
  }
  const file = nonEmpty(env.PGPASSFILE) ?? path.join(env.HOME ?? os.homedir(), '.pgpass');
  let content: string;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return undefined;
    if ((stat.mode & 0o077) !== 0) {
      // libpq ignores such a file too; say so instead of its stderr warning.
      state.note = `the password file ${file} was ignored because other users can read it (run \`chmod 600 ${file}\`)`;
      return undefined;
    }
    content = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const found = matchPasswordFile(content, where);
  if (found !== undefined) state.source = `the password file ${file}`;
  return found;
}

/** hostname:port:database:username:password lines; `*` matches anything; `\:` and `\\` are escapes. */
export function matchPasswordFile(content: string, where: { host: string; port: number; database: string; user: string }): string | undefined {
  const host = where.host.startsWith('/') ? 'localhost' : where.host;
  const wanted = [host, String(where.port), where.database, where.user];
  for (const line of content.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitPasswordLine(line);
    if (fields.length < 5) continue;
    if (wanted.every((value, index) => fields[index] === '*' || fields[index] === value)) return fields.slice(4).join(':');
  }
  return undefined;
}

function splitPasswordLine(line: string): string[] {
  const fields: string[] = [''];
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\' && i + 1 < line.length) fields[fields.length - 1] += line[++i]!;
    else if (char === ':') fields.push('');
    else fields[fields.length - 1] += char;
  }
  return fields;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
