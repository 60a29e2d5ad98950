import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  findAppointmentsByIds,
  findFollowingInSeries,
  lockFollowingInSeries,
  updateAppointment,
  type AppointmentRow,
} from '../../db/repositories/appointments.js';
import { isRetryable } from '../../db/pg-errors.js';
import { recordAudit } from '../audit/record.js';
import { toClinicInstant } from '../clinic-time.js';
import type { DomainContext } from '../context.js';
import { ClinicError, ConflictError, ValidationError, type ErrorCode, type ErrorReason } from '../errors.js';
import { initialBookingStatus, requireActor } from '../policy.js';
import { viewFields } from '../view-fields.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { parseWith } from '../validation.js';
import { offerFreedSlot } from '../waitlist/offer.js';
import { assertPartiesActive, bookSlot, inSavepoint, loadParties, prepareBooking } from './booking.js';
import { resolveAppointment } from './lookup.js';
import type { SlotRequest } from './schedule.js';
import { REPEATS, type Repeat } from './repeat.js';
import { seriesDates, type SeriesEnd } from './series-dates.js';
import { assertTransition, authorizeChange, bookReplacement, cancelForReschedule } from './transitions.js';
import { appointmentView, shortId, type AppointmentView } from './view.js';

export interface BookSeriesInput {
  patient: string;
  doctor: string;
  date: string;
  time: string;
  repeat: Repeat;
  count?: number | undefined;
  until?: string | undefined;
  durationMinutes?: number | undefined;
  reason?: string | undefined;
  approve?: boolean | undefined;
  /** book the occurrences that pass and list the others, instead of booking none */
  skipConflicts?: boolean | undefined;
}

/** An occurrence that was not booked, and why (the error it would have been on its own). */
export interface SkippedOccurrence {
  date: string;
  startTime: string;
  code: ErrorCode;
  reason: ErrorReason | null;
  message: string;
}

export interface SeriesResult {
  seriesId: string;
  appointments: AppointmentView[];
  skipped: SkippedOccurrence[];
}

export const SERIES_RESULT_FIELDS = viewFields<SeriesResult>()(['seriesId', 'appointments', 'skipped']);

const seriesSchema = z
  .object({
    patient: z.string().trim().min(1, 'a patient is required (--patient)'),
    doctor: z.string().trim().min(1, 'a doctor is required (--doctor)'),
    date: z.string({ error: 'a series needs --date' }),
    time: z.string({ error: 'a series needs --time' }),
    repeat: z.enum(REPEATS, { error: `--repeat is one of ${REPEATS.join(', ')}` }),
    count: z.number().int().optional(),
    until: z.string().optional(),
    durationMinutes: z.number().int('the duration must be a whole number of minutes').positive('the duration must be positive').optional(),
    reason: z.string().trim().max(1000, 'the reason is limited to 1000 characters').optional(),
    approve: z.boolean().optional(),
    skipConflicts: z.boolean().optional(),
  })
  .superRefine((input, issues) => {
    if ((input.count === undefined) === (input.until === undefined))
      issues.addIssue({ code: 'custom', message: 'a series needs --count N or --until DATE (one of them)' });
  });

/** The dates of a series, or exit 3 naming the limit it passes (the CLI checks first and says exit 2). */
export function planSeries(date: string, repeat: Repeat, end: SeriesEnd): string[] {
  const plan = seriesDates(date, repeat, end);
  if ('problem' in plan) throw new ValidationError(plan.problem);
  return plan.dates;
}

/** The occurrence's error, named by its date and time, keeping its code and reason. */
function occurrenceError(error: ClinicError, date: string, time: string, skipHint: boolean): ClinicError {
  const message = `Occurrence ${date} ${time}: ${error.message}`;
  const options = {
    reason: error.reason,
    details: { ...error.details, date, startTime: time },
    remedy: skipHint ? 'Nothing was booked. Book the others with --skip-conflicts, or choose another time.' : error.remedy,
    cause: error,
  };
  return error.code === 'INVALID_INPUT' ? new ValidationError(message, options) : new ConflictError(message, options);
}

/**
 * Books a recurring series in ONE transaction: every occurrence (the same wall-clock time in the
 * clinic zone, whatever daylight saving does) passes every booking rule through bookSlot, as a
 * single booking does. By default one failing occurrence books nothing (its error, naming it);
 * with skipConflicts the others are booked and the failures listed. Each occurrence runs in a
 * savepoint, so a clash caught by the exclusion constraints does not abort the rest.
 */
export async function bookSeries(ctx: DomainContext, rawInput: BookSeriesInput): Promise<SeriesResult> {
  const input = parseWith(seriesSchema, rawInput);
  const { actor, zone, doctor, patient, durationMinutes } = await prepareBooking(ctx, input);
  const dates = planSeries(input.date, input.repeat, input.count !== undefined ? { count: input.count } : { until: input.until! });
  assertPartiesActive(doctor, patient);
  const now = ctx.now();
  const seriesId = randomUUID();
  const status = initialBookingStatus(actor, input.approve);
  const { ids, skipped } = await inTransaction(ctx, async (trx) => {
    const ids: string[] = [];
    const skipped: SkippedOccurrence[] = [];
    for (const date of dates) {
      try {
        const start = toClinicInstant(date, input.time, zone);
        const request: SlotRequest = { doctor, patientId: patient.id, patientUsername: patient.username, start, durationMinutes, zone, now };
        const created = await inSavepoint(trx, actor, request, (savepoint) =>
          bookSlot(savepoint, actor, request, { reason: input.reason || null, status, series_id: seriesId }),
        );
        ids.push(created.id);
      } catch (error) {
        if (!(error instanceof ClinicError) || isRetryable(error)) throw error;
        if (!input.skipConflicts) throw occurrenceError(error, date, input.time, dates.length > 1);
        skipped.push({ date, startTime: input.time, code: error.code, reason: error.reason ?? null, message: error.message });
      }
    }
    if (ids.length === 0) {
      throw new ConflictError(`No occurrence of the series could be booked (${skipped.length} tried).`, {
        details: { skipped },
        remedy: 'Run `clinic appointments slots` to see free times.',
      });
    }
    return { ids, skipped };
  });
  const rows = await findAppointmentsByIds(ctx.db, ids);
  return { seriesId, appointments: rows.map((row) => appointmentView(row, zone)), skipped };
}

/** The anchor appointment and the active occurrences of its series from its start on, locked. */
async function followingOccurrences(ctx: DomainContext, ref: string) {
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const anchor = await resolveAppointment(ctx, actor, ref);
  if (!anchor.series_id) {
    throw new ValidationError(`Appointment ${shortId(anchor.id)} is not part of a series.`, { remedy: 'Leave out --series to change this appointment alone.' });
  }
  await authorizeChange(ctx, actor, 'appointments.change', anchor);
  return { actor, zone, anchor, seriesId: anchor.series_id };
}

function noneToChange(anchor: AppointmentRow, what: string): ConflictError {
  return new ConflictError(`Appointment ${shortId(anchor.id)} and the occurrences after it have nothing left to ${what}: none is PENDING or APPROVED.`, {
    reason: 'ILLEGAL_TRANSITION',
  });
}

/**
 * What cancelling or moving the series from this occurrence on would change, to confirm before
 * doing it: the occurrences still PENDING or APPROVED, by start. A move's new first time is
 * checked here too, so that a bad date is refused before anyone is asked.
 */
export async function planSeriesChange(
  ctx: DomainContext,
  input: { appointment: string; moveTo?: { date: string; time: string } | undefined },
): Promise<AppointmentView[]> {
  const { zone, anchor, seriesId } = await followingOccurrences(ctx, input.appointment);
  if (input.moveTo) toClinicInstant(input.moveTo.date, input.moveTo.time, zone);
  const rows = await findFollowingInSeries(ctx.db, seriesId, anchor.starts_at);
  if (rows.length === 0) throw noneToChange(anchor, input.moveTo ? 'reschedule' : 'cancel');
  return rows.map((row) => appointmentView(row, zone));
}

/** The occurrences locked for the change are the ones that were confirmed (planSeriesChange), or nothing is changed. */
function assertAsConfirmed(rows: readonly AppointmentRow[], confirmed: readonly string[] | undefined): void {
  if (confirmed === undefined) return;
  const same = rows.length === confirmed.length && rows.every((row) => confirmed.includes(row.id));
  if (!same) {
    throw new ConflictError(`The series changed after it was confirmed (${confirmed.length} occurrences then, ${rows.length} now); nothing was changed.`, {
      remedy: 'Run the command again to see what it would change now.',
    });
  }
}

/**
 * Cancels this occurrence and every following one that is still PENDING or APPROVED, in one
 * transaction; each freed slot is offered to the waitlist unless `waitlist` is false. With
 * `confirmed` (the ids planSeriesChange listed), refuses when the series has changed since.
 */
export async function cancelSeries(
  ctx: DomainContext,
  input: { appointment: string; reason?: string | undefined; waitlist?: boolean | undefined; confirmed?: readonly string[] | undefined },
): Promise<AppointmentView[]> {
  const reason = input.reason?.trim() || null;
  if (!reason) throw new ValidationError('A reason is required to cancel (--reason).');
  if (reason.length > 1000) throw new ValidationError('The reason is limited to 1000 characters.');
  const { actor, zone, anchor, seriesId } = await followingOccurrences(ctx, input.appointment);
  const ids = await inTransaction(ctx, async (trx) => {
    const rows = await lockFollowingInSeries(trx, seriesId, anchor.starts_at);
    if (rows.length === 0) throw noneToChange(anchor, 'cancel');
    assertAsConfirmed(rows, input.confirmed);
    for (const row of rows) {
      assertTransition(row, 'CANCELLED');
      await updateAppointment(trx, row.id, { status: 'CANCELLED', cancel_reason: reason });
      await recordAudit(trx, actor, {
        action: 'appointments.cancel',
        entity: 'appointment',
        entityId: row.id,
        patientId: row.patient_id,
        details: { from: row.status, to: 'CANCELLED', reason, seriesId },
      });
    }
    if (input.waitlist !== false) for (const row of rows) await offerFreedSlot(trx, row, zone, ctx.now());
    return rows.map((row) => row.id);
  });
  return (await findAppointmentsByIds(ctx.db, ids)).map((row) => appointmentView(row, zone));
}

/** A clinic-local moment's wall clock read as if it were UTC: differences ignore daylight saving, as people count. */
const wallClock = (moment: DateTime) =>
  DateTime.fromObject({ year: moment.year, month: moment.month, day: moment.day, hour: moment.hour, minute: moment.minute }, { zone: 'UTC' });

/**
 * Moves this occurrence to `date` `time` and every following active one by the same wall-clock
 * offset (so a weekly 09:00 stays at the new weekday and hour across daylight saving), in one
 * transaction, all or nothing: every old occurrence is cancelled ("rescheduled") first, so that
 * the moved ones may take each other's old slots, then each new one passes every booking rule.
 * With `confirmed`, refuses when the series has changed since, as cancelSeries does.
 */
export async function rescheduleSeries(
  ctx: DomainContext,
  input: { appointment: string; date: string; time: string; waitlist?: boolean | undefined; confirmed?: readonly string[] | undefined },
): Promise<AppointmentView[]> {
  const { actor, zone, anchor, seriesId } = await followingOccurrences(ctx, input.appointment);
  const target = toClinicInstant(input.date, input.time, zone);
  const offsetMinutes = wallClock(target).diff(wallClock(DateTime.fromJSDate(anchor.starts_at, { zone })), 'minutes').minutes;
  const { doctor, patient } = await loadParties(ctx, anchor.doctor_id, anchor.patient_id);
  assertPartiesActive(doctor, patient);
  const ids = await inTransaction(ctx, async (trx) => {
    const rows = await lockFollowingInSeries(trx, seriesId, anchor.starts_at);
    if (rows.length === 0) throw noneToChange(anchor, 'reschedule');
    assertAsConfirmed(rows, input.confirmed);
    for (const row of rows) await cancelForReschedule(trx, actor, row);
    const ids: string[] = [];
    for (const row of rows) {
      const wall = wallClock(DateTime.fromJSDate(row.starts_at, { zone })).plus({ minutes: offsetMinutes });
      const date = wall.toISODate()!;
      const time = wall.toFormat('HH:mm');
      try {
        const start = toClinicInstant(date, time, zone);
        const durationMinutes = Math.round((row.ends_at.getTime() - row.starts_at.getTime()) / 60_000);
        const request: SlotRequest = { doctor, patientId: patient.id, patientUsername: patient.username, start, durationMinutes, zone, now: ctx.now() };
        const created = await inSavepoint(trx, actor, request, (savepoint) => bookReplacement(savepoint, actor, row, request));
        ids.push(created.id);
      } catch (error) {
        if (!(error instanceof ClinicError) || isRetryable(error)) throw error;
        throw occurrenceError(error, date, time, false);
      }
    }
    if (input.waitlist !== false) for (const row of rows) await offerFreedSlot(trx, row, zone, ctx.now());
    return ids;
  });
  return (await findAppointmentsByIds(ctx.db, ids)).map((row) => appointmentView(row, zone));
}
