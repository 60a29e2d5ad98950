import { ConflictError, DatabaseUnavailableError, ValidationError } from '../domain/errors.js';
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

export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === SqlState.serializationFailure || state === SqlState.deadlockDetected;
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * Errors that mean "the database is not there": refused or dropped connections, a server shutting
 * down, a database that does not exist, failed authentication. Anything else is not ours to map.
 */
export function toDatabaseUnavailable(error: unknown, target?: DatabaseTarget): DatabaseUnavailableError | undefined {
  const state = sqlState(error);
  const message = (error as Error | null)?.message ?? String(error);
  const where = target ? ` (${describeTarget(target)})` : '';
  const connectionLost =
    (state !== undefined && (CONNECTION_ERRNOS.has(state) || state.startsWith('08') || state.startsWith('57P') || state === '3D000' || state === '28P01' || state === '28000')) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Knex: Timeout acquiring a connection/i.test(message);
  if (!connectionLost) return undefined;
  return new DatabaseUnavailableError(`Cannot reach the database${where}: ${message}`, {
    cause: error,
    remedy: 'Check that PostgreSQL is running and that the database URL is right.',
  });
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
