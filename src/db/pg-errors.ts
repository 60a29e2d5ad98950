import { ConflictError, DatabaseUnavailableError, ValidationError, type ClinicError } from './errors.js';
import { describeTarget, type DatabaseTarget } from './target.js';

/** SQLSTATE codes the domain reacts to (same on PGlite and PostgreSQL). */
export const SqlState = {
  uniqueViolation: '23505',
  exclusionViolation: '23P01',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  undefinedTable: '42P01',
  characterNotInRepertoire: '22021',
} as const;

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function constraintName(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** The key a unique violation names (its DETAIL, `Key (a, b)=(x, y) already exists.`): columns and values as the server wrote them. */
export function duplicateKey(error: unknown): { columns: string[]; values: string } | undefined {
  if (sqlState(error) !== SqlState.uniqueViolation) return undefined;
  const detail = (error as { detail?: unknown } | null)?.detail;
  const match = typeof detail === 'string' ? /^Key \((.+?)\)=\((.*)\) already exists\.?$/s.exec(detail) : null;
  return match ? { columns: match[1]!.split(', '), values: match[2]! } : undefined;
}

export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === SqlState.serializationFailure || state === SqlState.deadlockDetected;
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Knex: Timeout acquiring a connection/i;
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);
const EXTENSIONS = ['citext', 'btree_gist', 'unaccent', 'pg_trgm'];
const EXTENSION_OBJECTS = /\b(citext|unaccent|regdictionary|gist_\w+|gin_trgm_ops|gist_trgm_ops|similarity|word_similarity)\b/;

const CHECK_SERVER = 'Check that PostgreSQL is running and that the database URL is right.';
const GRANT_REMEDY =
  'Connect as a role that has the privilege: run `clinic db migrate` as the owner role, and `clinic db grant ROLE` (as the owner) to give the application role what it needs (README, Operations).';

/** A pg (or PGlite) error from the server: it carries a five-character SQLSTATE. */
export function isDatabaseError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && /^[0-9A-Z]{5}$/.test(state) && !CONNECTION_ERRNOS.has(state);
}

/**
 * The server's own words, without the SQL statement that knex puts in front of them
 * (`<sql> - <message>`) and never the statement itself.
 */
export function databaseMessage(error: unknown): string {
  const message = (error as Error | null)?.message ?? String(error);
  const sql = (error as { clinicSql?: unknown } | null)?.clinicSql;
  if (typeof sql === 'string' && message.startsWith(`${sql} - `)) return firstLine(message.slice(sql.length + 3));
  if (isDatabaseError(error)) {
    const separator = message.lastIndexOf(' - ');
    return firstLine(separator >= 0 ? message.slice(separator + 3) : message);
  }
  return firstLine(message);
}

/** Knex reports the failing statement in error.message; remember it so that it can be cut off. */
export function rememberFailedSql(error: unknown, query: { sql?: unknown }): void {
  if (error !== null && typeof error === 'object' && typeof query.sql === 'string') {
    Object.defineProperty(error, 'clinicSql', { value: query.sql, enumerable: false, configurable: true });
  }
}

/** What is known about how a connection was attempted, so a failure can name the setting to change. */
export interface ConnectionAttempt {
  user: string;
  host: string;
  sslMode: string;
  sslModeSetting: string;
  rootCertSetting: string;
  password: { source?: string; note?: string };
}

/** A failure while connecting, said in the words of the cause and with what to do about it. */
export function toConnectionFailure(error: unknown, target: DatabaseTarget, attempt?: ConnectionAttempt): DatabaseUnavailableError | undefined {
  const state = sqlState(error);
  const message = databaseMessage(error);
  const where = describeTarget(target);
  const fail = (text: string, remedy: string) => new DatabaseUnavailableError(text, { cause: error, remedy });
  const user = attempt?.user ?? 'the user in the URL';
  if (state === '28P01') {
    const source = attempt?.password.source ? ` (the password came from ${attempt.password.source})` : '';
    return fail(
      `${where} refused the password of role "${user}"${source}.`,
      'Check the password in the URL (percent-encoded), PGPASSWORD or ~/.pgpass, and that the role exists and may log in.',
    );
  }
  if (/client password must be a string|password authentication failed.*no password|no password supplied/i.test(message)) {
    const note = attempt?.password.note ? `; ${attempt.password.note}` : '';
    return fail(
      `${where} asks for a password for role "${user}", and none was given${note}.`,
      'Put the password in the URL (postgres://USER:PASSWORD@HOST/DB, percent-encoded), in PGPASSWORD, or in ~/.pgpass (mode 0600).',
    );
  }
  if (state === '28000') {
    return fail(
      `${where} does not let role "${user}" connect: ${message}.`,
      'Ask the DBA to allow this role and host in pg_hba.conf; if the server only accepts TLS, use sslmode=require or stronger.',
    );
  }
  if (state === '3D000') {
    return fail(`${where} has no such database: ${message}.`, 'Check the database name in the URL, or create it (createdb) and run `clinic db migrate`.');
  }
  if (/The server does not support SSL connections/i.test(message)) {
    return fail(
      `${where} does not accept TLS, and ${attempt?.sslModeSetting ?? 'sslmode'} is "${attempt?.sslMode ?? 'require'}", which needs it.`,
      `Enable ssl on the server, or set ${attempt?.sslModeSetting ?? 'sslmode'} to disable or prefer if an unencrypted connection is acceptable.`,
    );
  }
  const tlsCode = (error as { code?: unknown } | null)?.code;
  if (typeof tlsCode === 'string') {
    if (tlsCode === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return fail(
        `${where} presented a TLS certificate that does not name the host "${attempt?.host ?? ''}" (sslmode=verify-full).`,
        `Connect with the host name the certificate was issued for, or set ${attempt?.sslModeSetting ?? 'sslmode'} to verify-ca to check the CA only.`,
      );
    }
    if (TLS_VERIFY_CODES.has(tlsCode)) {
      return fail(
        `${where} presented a TLS certificate that is not signed by a trusted CA (${tlsCode}, sslmode=${attempt?.sslMode ?? 'verify-full'}).`,
        `Set ${attempt?.rootCertSetting ?? 'sslrootcert'} to the CA certificate that signed the server's certificate, or set ${attempt?.sslModeSetting ?? 'sslmode'} to require to encrypt without verifying.`,
      );
    }
    if (tlsCode === 'CERT_HAS_EXPIRED' || tlsCode === 'CERT_NOT_YET_VALID') {
      return fail(
        `${where} presented a TLS certificate that is not valid now (${tlsCode}).`,
        "Ask the DBA to renew the server certificate; check this computer's clock.",
      );
    }
    if (tlsCode.startsWith('ERR_SSL') || tlsCode.startsWith('ERR_TLS') || tlsCode === 'ERR_OSSL_BAD_DECRYPT') {
      return fail(
        `TLS with ${where} failed (${tlsCode}).`,
        `Check ${attempt?.sslModeSetting ?? 'sslmode'}, ${attempt?.rootCertSetting ?? 'sslrootcert'}, sslcert, sslkey and sslpassword.`,
      );
    }
    if (tlsCode === 'ENOTFOUND' || tlsCode === 'EAI_AGAIN') {
      return fail(`Cannot find the host of ${where} (${tlsCode}).`, 'Check the host name in the database URL.');
    }
    if (CONNECTION_ERRNOS.has(tlsCode)) {
      return fail(`Cannot reach the database (${where}): ${tlsCode}.`, CHECK_SERVER);
    }
  }
  const classified = classifyDatabaseError(error);
  if (classified instanceof DatabaseUnavailableError)
    return new DatabaseUnavailableError(`${classified.message} (${where})`, { cause: error, remedy: classified.remedy ?? CHECK_SERVER });
  if (CONNECTION_MESSAGES.test(message)) return fail(`Cannot reach the database (${where}): ${message}.`, CHECK_SERVER);
  return undefined;
}

/**
 * Every SQLSTATE class, decided deliberately (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * the server being away or short of something is exit 8; bad values are exit 3; constraint and
 * concurrency losses are exit 7; anything else (class 42 syntax and undefined objects, XX internal)
 * is a bug and stays unmapped (exit 1), with the SQL cut off by databaseMessage.
 */
export function classifyDatabaseError(error: unknown): ClinicError | undefined {
  const state = sqlState(error);
  const message = databaseMessage(error);
  const unavailable = (text: string, remedy: string) => new DatabaseUnavailableError(text, { cause: error, remedy });
  if (state === undefined || CONNECTION_ERRNOS.has(state)) {
    return state !== undefined || CONNECTION_MESSAGES.test(message) ? unavailable(`Cannot reach the database: ${message}.`, CHECK_SERVER) : undefined;
  }
  if (!isDatabaseError(error)) return undefined;
  const errorClass = state.slice(0, 2);
  switch (errorClass) {
    case '08':
      return unavailable(`Cannot reach the database: the connection failed (${message}).`, CHECK_SERVER);
    case '57':
      if (state === '57014')
        return unavailable(
          'The database cancelled the query (a statement timeout or an administrator); nothing was changed.',
          'Try again; if it keeps happening, ask the DBA about statement_timeout.',
        );
      return unavailable(
        `Cannot reach the database: the server ended the connection or is not accepting any (${message}).`,
        'Try again in a moment; if it persists, check that PostgreSQL is running.',
      );
    case '53':
      return unavailable(
        `The database server is out of resources: ${message}.`,
        state === '53100' ? 'Free disk space on the database server.' : 'Try again later, or ask the DBA to raise the limit.',
      );
    case '55':
      if (state === '55P03') {
        return new DatabaseUnavailableError('A row or table is locked by another session and the lock wait timed out; nothing was changed.', {
          cause: error,
          reason: 'LOCKED',
          remedy: 'Try again when the other work has finished.',
        });
      }
      if (state === '55006') return unavailable(`The database object is in use: ${message}.`, 'Try again when the other sessions have finished.');
      return undefined;
    case '58':
      return unavailable(`The database server had a system error: ${message}.`, 'Ask the DBA to check the server log and its disks.');
    case '28':
      return unavailable(`The database refused the login: ${message}.`, 'Check the user name and password of the database URL.');
    case '3D':
      return unavailable(`The database does not exist: ${message}.`, 'Check the database name in the URL.');
    case '22':
      if (state === SqlState.characterNotInRepertoire) return toInvalidText(error);
      return new ValidationError(`The database refused a value: ${message}.`, { cause: error, remedy: 'Correct the value and try again.' });
    case '23':
      if (state === '23502' || state === SqlState.checkViolation) {
        return new ValidationError(`The database refused a value: ${message}.`, { cause: error, remedy: 'Correct the value and try again.' });
      }
      return new ConflictError(`The change conflicts with data already stored: ${message}.`, {
        cause: error,
        ...(state === SqlState.uniqueViolation ? { reason: 'ALREADY_EXISTS' as const } : {}),
        details: { constraint: constraintName(error) },
      });
    case '40':
      return new ConflictError('The change collided with another one made at the same moment and was not saved.', {
        cause: error,
        remedy: 'Run the command again.',
      });
    case '54':
      return new ValidationError(`The value is too large for the database: ${message}.`, { cause: error, remedy: 'Shorten it and try again.' });
    case '0A':
    case '42': {
      const extension = extensionProblem(state, message);
      if (extension) return unavailable(extension.message, extension.remedy);
      if (state === '42501') return unavailable(`The database role lacks a privilege clinic needs: ${message}.`, GRANT_REMEDY);
      return undefined;
    }
    default:
      return undefined;
  }
}

function extensionProblem(state: string, message: string): { message: string; remedy: string } | undefined {
  const named = /extension "([^"]+)"/.exec(message)?.[1];
  if (named && /not available|could not open extension control file|permission denied to create extension/i.test(message)) {
    const notInstalled = !/permission denied/i.test(message);
    return {
      message: notInstalled
        ? `The PostgreSQL extension ${named} is not installed on the database server (clinic needs ${EXTENSIONS.join(', ')}).`
        : `The database role may not create the PostgreSQL extension ${named} (clinic needs ${EXTENSIONS.join(', ')}).`,
      remedy: notInstalled
        ? "Install the server's contrib package (e.g. postgresql-contrib), or ask the provider to enable the extension, then run `clinic db migrate` again."
        : 'Run `clinic db migrate` as the database owner, or have a superuser create the extensions in the public schema first.',
    };
  }
  if ((state === '42704' || state === '42883') && EXTENSION_OBJECTS.test(message)) {
    const object = EXTENSION_OBJECTS.exec(message)?.[1] ?? 'an extension object';
    return {
      message: `The database cannot find ${object}, which comes from one of the extensions ${EXTENSIONS.join(', ')}: it is missing or installed in a schema that is not on the search path (${message}).`,
      remedy:
        "Have a superuser move the extensions to the public schema (ALTER EXTENSION NAME SET SCHEMA public) or add their schema to the role's search_path, then run `clinic db migrate` again.",
    };
  }
  return undefined;
}

/** Kept for callers that only ask "is the database away?". */
export function toDatabaseUnavailable(error: unknown, target?: DatabaseTarget): DatabaseUnavailableError | undefined {
  if (target) return toConnectionFailure(error, target);
  const classified = classifyDatabaseError(error);
  return classified instanceof DatabaseUnavailableError ? classified : undefined;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim();
}

/** A race lost against the exclusion or unique constraints that no earlier check caught. */
export function toConflict(error: unknown, message: string): ConflictError | undefined {
  const state = sqlState(error);
  if (state !== SqlState.exclusionViolation && state !== SqlState.uniqueViolation) return undefined;
  return new ConflictError(message, { cause: error, details: { constraint: constraintName(error) } });
}

/**
 * Text PostgreSQL cannot store: a NUL character (or bytes that are not UTF-8) in a name, reason or
 * search. It is the user's input, not a bug: exit 3, without the SQL that carried it.
 */
export function toInvalidText(error: unknown): ValidationError | undefined {
  if (sqlState(error) !== SqlState.characterNotInRepertoire) return undefined;
  return new ValidationError('The text contains a NUL character (\\0) or bytes that are not UTF-8, which cannot be stored.', {
    cause: error,
    remedy: 'Remove the control character and try again.',
  });
}
