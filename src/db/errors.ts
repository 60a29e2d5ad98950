/**
 * The base of every error the clinic library raises, and the ones the database layer raises
 * itself (bad connection settings, a conflicting write, an unreachable database). Each carries a
 * stable code and, where there is one, a remedy telling the user what to do next. The rest of
 * the hierarchy is in the errors module of the domain, the one module the CLI maps to exit codes.
 */
export type ErrorCode = 'INVALID_INPUT' | 'NOT_AUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'DATABASE_UNAVAILABLE' | 'INTEGRITY' | 'INTERRUPTED';

/**
 * A stable, finer cause than the code, for scripts (`error.reason` in JSON; the README lists
 * them). A reason never changes meaning once released; new ones may be added.
 */
export const ERROR_REASONS = [
  'SLOT_TAKEN',
  'PATIENT_BUSY',
  'OUTSIDE_HOURS',
  'TIME_OFF',
  'ACCOUNT_DISABLED',
  'NO_FREE_SLOT',
  'ILLEGAL_TRANSITION',
  'TOO_EARLY',
  'TOO_LATE',
  'ALREADY_EXISTS',
  'IDEMPOTENCY_MISMATCH',
  'LOCKED',
  'PENDING_MIGRATIONS',
  'NOT_EMPTY',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export interface ClinicErrorOptions {
  remedy?: string;
  reason?: ErrorReason;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class ClinicError extends Error {
  abstract readonly code: ErrorCode;
  readonly remedy: string | undefined;
  readonly reason: ErrorReason | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: ClinicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.remedy = options.remedy;
    this.reason = options.reason;
    this.details = options.details;
  }
}

export class ValidationError extends ClinicError {
  readonly code = 'INVALID_INPUT' as const;
}

export class ConflictError extends ClinicError {
  readonly code = 'CONFLICT' as const;
}

export class DatabaseUnavailableError extends ClinicError {
  readonly code = 'DATABASE_UNAVAILABLE' as const;
}

export function isClinicError(error: unknown): error is ClinicError {
  return error instanceof ClinicError;
}
