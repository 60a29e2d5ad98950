/**
 * Typed errors of the domain library. Each carries a stable code and, where there is one,
 * a remedy telling the user what to do next. Only the CLI turns them into exit codes.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_AUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DATABASE_UNAVAILABLE'
  | 'INTEGRITY'
  | 'INTERRUPTED';

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

export interface DomainErrorOptions {
  remedy?: string;
  reason?: ErrorReason;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly remedy: string | undefined;
  readonly reason: ErrorReason | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.remedy = options.remedy;
    this.reason = options.reason;
    this.details = options.details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'INVALID_INPUT' as const;
}

export class NotAuthenticatedError extends DomainError {
  readonly code = 'NOT_AUTHENTICATED' as const;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
}

export class DatabaseUnavailableError extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE' as const;
}

/** Stored data failed an integrity check (the audit log's hash chain is broken). */
export class IntegrityError extends DomainError {
  readonly code = 'INTEGRITY' as const;
}

/** The operation stopped because it was asked to (Ctrl-C, SIGTERM): its transaction was rolled back. */
export class InterruptedError extends DomainError {
  readonly code = 'INTERRUPTED' as const;

  constructor(message = 'Interrupted.', options: DomainErrorOptions = {}) {
    super(message, options);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
