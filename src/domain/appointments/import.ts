import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import {
  checkStagedAppointments,
  countCheckedAppointments,
  createAppointmentStaging,
  insertCheckedAppointments,
  rejectedAppointments,
  type RejectedAppointmentRow,
} from '../../db/repositories/appointment-staging.js';
import { toConflict } from '../../db/pg-errors.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { requireActor, type Actor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { clinicClock } from '../clinic-time.js';
import { MAX_DURATION_MINUTES } from './rules.js';
import { APPOINTMENT_SHAPE, stageAppointment, type AppointmentField } from './file-rows.js';
import { invalidFileError, readRecords, withRollbackUnless, type BulkFormat, type ImportPhase, type ImportSummary, type RejectedRow } from '../import-file.js';
import { throwIfInterrupted, untilInterrupted } from '../interruption.js';

export interface AppointmentImportInput {
  source: Readable;
  /** undefined: the first non-blank character decides (`{` → NDJSON, else CSV) */
  format?: BulkFormat | undefined;
  /** false (default): any bad row rejects the whole file */
  skipInvalid?: boolean;
  dryRun?: boolean;
  /** Receives every rejected row, in line order, when `skipInvalid` (or `dryRun`) is set. */
  onRejected?: (row: RejectedRow<AppointmentField>) => void | Promise<void>;
  /** Rows read so far; called now and then while reading. */
  onProgress?: (rowsRead: number) => void;
  /** the phase after reading: the checks, then the inserts */
  onPhase?: (phase: ImportPhase) => void;
  /** A name for the audit trail (the file name, or "-"). */
  sourceName?: string;
}

const REJECTS_PAGE = 1_000;
const PROGRESS_EVERY = 1_000;

/**
 * `clinic appointments import`: every row checked with the rules of `book` (DESIGN §6, §7), set-based
 * in SQL so that a hundred thousand rows take seconds. One transaction: all or nothing by default;
 * with `skipInvalid` the good rows commit and the bad ones go to `onRejected`; `dryRun` rolls back.
 */
export async function importAppointments(ctx: DomainContext, input: AppointmentImportInput): Promise<ImportSummary> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'appointments.import', {}, { entity: 'appointments' });
  return loadAppointments(ctx, input, actor);
}

/**
 * The import itself, for callers that have settled who may write (the seed has no actor): stage,
 * check, insert, audit, in one transaction.
 */
export async function loadAppointments(ctx: DomainContext, input: AppointmentImportInput, actor: Actor | null): Promise<ImportSummary> {
  const zone = await clinicTimeZone(ctx);
  const clock = clinicClock(zone);
  const now = ctx.now();

  const outcome = await withRollbackUnless(ctx, async (trx) => {
    const staging = await createAppointmentStaging(trx, ctx.backend);
    let rowsRead = 0;
    try {
      const records = untilInterrupted(readRecords(input.source, APPOINTMENT_SHAPE, input.format), ctx.signal, () => input.source.destroy());
      for await (const record of records) {
        await staging.write(stageAppointment(record, clock, zone));
        if (++rowsRead % PROGRESS_EVERY === 0) input.onProgress?.(rowsRead);
      }
    } catch (error) {
      await staging.abort();
      throw error;
    }
    await staging.end();
    input.onProgress?.(rowsRead);

    throwIfInterrupted(ctx.signal);
    input.onPhase?.('checking');
    await checkStagedAppointments(trx, { now, zone, maxDurationMinutes: MAX_DURATION_MINUTES });
    throwIfInterrupted(ctx.signal);
    const counts = await countCheckedAppointments(trx);
    if (counts.rejected > 0 && !input.skipInvalid) {
      const rows: Array<{ line: number; error: string }> = [];
      for await (const row of eachRejected(trx)) rows.push({ line: row.line, error: row.problem });
      return { commit: false, error: invalidFileError(rows, 'appointments') } as const;
    }
    if (input.onRejected) for await (const row of eachRejected(trx)) await input.onRejected(toRejectedRow(row));
    if (input.dryRun) {
      return { commit: false, summary: { imported: counts.valid, skipped: counts.skipped, rejected: counts.rejected } } as const;
    }
    throwIfInterrupted(ctx.signal);
    input.onPhase?.('writing');
    const imported = await insertCheckedAppointments(trx, actor?.id ?? null).catch((error: unknown) => {
      throw toConflict(error, 'Another booking took one of these times while the file was being imported; nothing was imported.') ?? error;
    });
    const summary = { imported, skipped: counts.skipped + (counts.valid - imported), rejected: counts.rejected };
    await recordAudit(trx, actor, {
      action: 'appointments.import',
      entity: 'appointments',
      details: { ...summary, source: input.sourceName ?? null },
    });
    return { commit: true, summary } as const;
  });
  if ('error' in outcome) throw outcome.error;
  return { ...outcome.summary, dryRun: input.dryRun === true };
}

async function* eachRejected(trx: Knex.Transaction): AsyncGenerator<RejectedAppointmentRow> {
  let after = 0;
  for (;;) {
    const page = await rejectedAppointments(trx, after, REJECTS_PAGE);
    yield* page;
    if (page.length < REJECTS_PAGE) return;
    after = page[page.length - 1]!.line;
  }
}

function toRejectedRow(row: RejectedAppointmentRow): RejectedRow<AppointmentField> {
  return {
    line: row.line,
    error: row.problem,
    fields: {
      patient: row.patient,
      doctor: row.doctor,
      date: row.date,
      time: row.time,
      reason: row.reason,
      durationMinutes: row.duration_minutes,
      status: row.status,
      externalId: row.external_id,
      cancelReason: row.cancel_reason,
      rescheduledFromId: row.rescheduled_from,
      seriesId: row.series,
    },
  };
}
