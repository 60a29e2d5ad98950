import { ValidationError } from '../errors.js';

/** What an import did (DESIGN §7); with `dryRun`, what it would have done. */
export interface ImportSummary {
  imported: number;
  skipped: number;
  rejected: number;
  dryRun: boolean;
}

/** A bad row: its line, why, and the fields as they were read (for a rejects file). */
export interface RejectedRow<Field extends string = string> {
  line: number;
  error: string;
  fields: Record<Field, string | null>;
}

/**
 * The whole file is refused: every bad row, by line, travels in `details.rows` (rendered one per
 * line, or as a JSON list with --json).
 */
export function invalidFileError(rows: ReadonlyArray<{ line: number; error: string }>, what: string): ValidationError {
  const count = rows.length === 1 ? '1 row is' : `${rows.length} rows are`;
  return new ValidationError(`${count} invalid; no ${what} were imported.`, {
    remedy: 'Fix the rows listed, or add --skip-invalid to import the good rows and set the bad ones aside (--rejects FILE).',
    details: { rows },
  });
}
