import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { findUserByRef } from '../../db/repositories/users.js';
import { authorize } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { isClinicError } from '../errors.js';
import {
  readRecords,
  withRollbackUnless,
  invalidFileError,
  type BulkFormat,
  type ImportSummary,
  type RecordShape,
  type RejectedRow,
  type SourceRecord,
} from '../import-file.js';
import { untilInterrupted } from '../interruption.js';
import { requireActor, type Action, type Actor, type Role } from '../policy.js';
import { clinicToday } from '../settings/service.js';

/** The import of people (doctors, patients): user accounts with a profile, one row at a time. */

export interface PeopleImportInput<Field extends string> {
  source: Readable;
  format?: BulkFormat | undefined;
  skipInvalid?: boolean;
  dryRun?: boolean;
  onRejected?: (row: RejectedRow<Field>) => void | Promise<void>;
  onProgress?: (rowsRead: number) => void;
}

/**
 * The fields of a `list --json` that an import of people takes and drops, so that a list can be
 * fed back (README "Bulk work"): the account's id, status and times are the new clinic's own; a
 * role, when given, must be the import's.
 */
export function listOnlyFields(role: Role): Readonly<Record<string, string | null>> {
  return { id: null, role, status: null, createdAt: null, updatedAt: null };
}

/** What sets doctors apart from patients in an import. */
export interface PeopleKind<Field extends string> {
  role: Role;
  noun: string;
  action: Action;
  shape: RecordShape & { fields: readonly Field[] };
  /** validates the row (the `add` command's own rules) and writes it inside `trx` */
  create(trx: Knex, actor: Actor, fields: Record<string, string | undefined>, today: string): Promise<unknown>;
}

/**
 * Row by row in one transaction (people files are small next to appointment files), each row in
 * its own savepoint so that a refused row leaves the others intact. All or nothing unless
 * `skipInvalid`; a dry run rolls back.
 */
export async function importPeople<Field extends string>(ctx: DomainContext, input: PeopleImportInput<Field>, kind: PeopleKind<Field>): Promise<ImportSummary> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, kind.action, {}, { entity: kind.role });
  const today = await clinicToday(ctx);
  const counts = { imported: 0, skipped: 0, rejected: 0 };
  const problems: Array<{ line: number; error: string }> = [];

  const outcome = await withRollbackUnless(ctx, async (trx) => {
    const reject = async (record: SourceRecord, error: string) => {
      counts.rejected++;
      if (!input.skipInvalid) problems.push({ line: record.line, error });
      else await input.onRejected?.({ line: record.line, error, fields: originalFields(kind.shape.fields, record) });
    };
    let rowsRead = 0;
    // usernames are case-insensitive: the first line of each, so that a repeat is not taken for "already imported"
    const firstLines = new Map<string, number>();
    const records = untilInterrupted(readRecords(input.source, kind.shape, input.format), ctx.signal, () => input.source.destroy());
    for await (const record of records) {
      if (++rowsRead % 100 === 0) input.onProgress?.(rowsRead);
      const username = record.fields.username?.trim().toLowerCase() ?? '';
      const firstLine = username === '' ? undefined : firstLines.get(username);
      if (username !== '' && firstLine === undefined) firstLines.set(username, record.line);
      if (record.problem) {
        await reject(record, record.problem);
        continue;
      }
      if (firstLine !== undefined) {
        await reject(record, `username "${username}" repeats line ${firstLine}`);
        continue;
      }
      const existing = username === '' ? undefined : await findUserByRef(trx, username);
      if (existing) {
        if (existing.role === kind.role) counts.skipped++;
        else await reject(record, `the username "${username}" belongs to a ${existing.role}`);
        continue;
      }
      try {
        await trx.transaction((savepoint) => kind.create(savepoint, actor, record.fields, today));
        counts.imported++;
      } catch (error) {
        if (!isClinicError(error)) throw error;
        await reject(record, error.message.replace(/\.$/, ''));
      }
    }
    input.onProgress?.(rowsRead);
    if (counts.rejected > 0 && !input.skipInvalid) return { commit: false, error: invalidFileError(problems, kind.noun) } as const;
    return { commit: !input.dryRun } as const;
  });
  if ('error' in outcome) throw outcome.error;
  return { ...counts, dryRun: input.dryRun === true };
}

function originalFields<Field extends string>(fields: readonly Field[], record: SourceRecord): Record<Field, string | null> {
  const original = {} as Record<Field, string | null>;
  for (const field of fields) original[field] = record.fields[field] ?? null;
  return original;
}
