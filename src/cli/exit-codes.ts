import { CommanderError } from '@commander-js/extra-typings';
import { isClinicError, type ErrorCode } from '../domain/errors.js';
import { UsageError } from './usage-error.js';

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  invalidInput: 3,
  notAuthenticated: 4,
  forbidden: 5,
  notFound: 6,
  conflict: 7,
  databaseUnavailable: 8,
  integrity: 9,
  interrupted: 130,
} as const;

const byDomainCode: Record<ErrorCode, number> = {
  INVALID_INPUT: ExitCode.invalidInput,
  NOT_AUTHENTICATED: ExitCode.notAuthenticated,
  FORBIDDEN: ExitCode.forbidden,
  NOT_FOUND: ExitCode.notFound,
  CONFLICT: ExitCode.conflict,
  DATABASE_UNAVAILABLE: ExitCode.databaseUnavailable,
  INTEGRITY: ExitCode.integrity,
  INTERRUPTED: ExitCode.interrupted,
};

export interface DescribedError {
  exitCode: number;
  code: string;
  /** The stable finer cause (README "Error reasons"), when there is one. */
  reason?: string | undefined;
  message: string;
  remedy?: string | undefined;
  /** Per-row problems of a bulk operation (an import file refused as a whole). */
  rows?: ReadonlyArray<{ line: number; error: string }> | undefined;
  /** Unexpected errors are bugs: their stack is worth showing with --debug. */
  unexpected: boolean;
}

/** The one place that turns an error into an exit code and a message (DESIGN §4). */
export async function describeError(error: unknown): Promise<DescribedError> {
  if (isClinicError(error)) {
    const rows = Array.isArray(error.details?.rows) ? (error.details.rows as DescribedError['rows']) : undefined;
    return {
      exitCode: byDomainCode[error.code],
      code: error.code,
      reason: error.reason,
      message: error.message,
      remedy: error.remedy,
      rows,
      unexpected: false,
    };
  }
  if (error instanceof UsageError) {
    return { exitCode: ExitCode.usage, code: 'USAGE', message: error.message, remedy: error.remedy, unexpected: false };
  }
  if (error instanceof CommanderError) {
    return { exitCode: ExitCode.usage, code: 'USAGE', message: error.message.replace(/^error: /, ''), unexpected: false };
  }
  const { OutputFileError } = await import('./output-file.js');
  if (error instanceof OutputFileError) {
    return {
      exitCode: ExitCode.unexpected,
      code: 'OUTPUT',
      message: error.message,
      remedy: 'Free some room or choose another path (a file is written whole or not at all), then run the command again.',
      unexpected: false,
    };
  }
  const name = (error as Error | null)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') {
    return { exitCode: ExitCode.interrupted, code: 'INTERRUPTED', message: 'Interrupted.', unexpected: false };
  }
  const { dataDirFailure } = await import('../db/data-dir.js');
  const environment = dataDirFailure(error) ?? dataDirFailure((error as { cause?: unknown } | null)?.cause);
  if (environment) return describeError(environment);
  const { classifyDatabaseError, databaseMessage, isDatabaseError, sqlState } = await import('../db/pg-errors.js');
  const classified = classifyDatabaseError(error);
  if (classified) return describeError(classified);
  if (isDatabaseError(error)) {
    return {
      exitCode: ExitCode.unexpected,
      code: 'INTERNAL',
      message: `Unexpected database error (SQLSTATE ${sqlState(error)}): ${databaseMessage(error)}`,
      remedy: 'This is a bug in clinic. Rerun with --debug for details and report it.',
      unexpected: true,
    };
  }
  return {
    exitCode: ExitCode.unexpected,
    code: 'INTERNAL',
    message: `Unexpected error: ${databaseMessage(error)}`,
    remedy: 'This is a bug in clinic. Rerun with --debug for details and report it.',
    unexpected: true,
  };
}
