import { ClinicError } from '../db/errors.js';

/**
 * Every error of the clinic library, in one place: the CLI maps these (by code) to exit codes.
 * The base class and the errors the database layer raises too live in src/db/errors.ts, which
 * depends on nothing.
 */
export { ClinicError, ConflictError, DatabaseUnavailableError, ValidationError, isClinicError, type ErrorCode } from '../db/errors.js';

export class NotAuthenticatedError extends ClinicError {
  readonly code = 'NOT_AUTHENTICATED' as const;
}

export class ForbiddenError extends ClinicError {
  readonly code = 'FORBIDDEN' as const;
}

export class NotFoundError extends ClinicError {
  readonly code = 'NOT_FOUND' as const;
}

/** Stored data failed an integrity check (the audit log's hash chain is broken). */
export class IntegrityError extends ClinicError {
  readonly code = 'INTEGRITY' as const;
}

/** The operation stopped because it was asked to (Ctrl-C, SIGTERM): its transaction was rolled back. */
export class InterruptedError extends ClinicError {
  readonly code = 'INTERRUPTED' as const;

  constructor(message = 'Interrupted.', options: { remedy?: string; cause?: unknown } = {}) {
    super(message, options);
  }
}
