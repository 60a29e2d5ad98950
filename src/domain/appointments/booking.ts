import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { findActiveOverlapping, insertAppointment, type AppointmentRow, type NewAppointmentRow } from '../../db/repositories/appointments.js';
import type { DoctorRow } from '../../db/repositories/doctors.js';
import { addToPanel, findPatientByRef, type PatientRow } from '../../db/repositories/patients.js';
import { SqlState, constraintName, isRetryable, sqlState } from '../../db/pg-errors.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import { initialBookingStatus, mayApproveWhileBooking, requireActor, type Actor } from '../policy.js';
import { requireDoctor } from '../doctors/service.js';
import { findVisiblePatient } from '../patients/lookup.js';
import { noSuch } from '../references.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { checkIdempotencyKey, findRepeat, requestFingerprint, type BookingRequest } from './idempotency.js';
import { parseWith } from '../validation.js';
import { clinicDate, parseClinicDate, toClinicInstant } from '../clinic-time.js';
import { checkDuration, type Interval } from './rules.js';
import { NEXT_AVAILABLE_HORIZON_DAYS, assertSlotBookable, clashError, freeSlots, type SlotRequest } from './schedule.js';
import { appointmentView, type AppointmentView } from './view.js';

export interface BookInput {
  patient: string;
  doctor: string;
  date?: string | undefined;
  time?: string | undefined;
  nextAvailable?: boolean | undefined;
  after?: string | undefined;
  durationMinutes?: number | undefined;
  reason?: string | undefined;
  approve?: boolean | undefined;
  /** A repeat with the same key and request returns the first result (README "Idempotency"). */
  idempotencyKey?: string | undefined;
}

const bookSchema = z
  .object({
    patient: z.string().trim().min(1, 'a patient is required (--patient)'),
    doctor: z.string().trim().min(1, 'a doctor is required (--doctor)'),
    date: z.string().optional(),
    time: z.string().optional(),
    nextAvailable: z.boolean().optional(),
    after: z.string().optional(),
    durationMinutes: z.number().int('the duration must be a whole number of minutes').positive('the duration must be positive').optional(),
    reason: z.string().trim().max(1000, 'the reason is limited to 1000 characters').optional(),
    approve: z.boolean().optional(),
    idempotencyKey: z.string().optional(),
  })
  .superRefine(checkWhen);

/** When, as book and reschedule take it: --date and --time, or --next-available [--after DATE]. */
export interface WhenInput {
  date?: string | undefined;
  time?: string | undefined;
  nextAvailable?: boolean | undefined;
  after?: string | undefined;
}

export function checkWhen(input: WhenInput, issues: z.RefinementCtx): void {
  if (input.nextAvailable && (input.date !== undefined || input.time !== undefined)) {
    issues.addIssue({ code: 'custom', message: 'give either --date and --time, or --next-available, not both' });
  }
  if (!input.nextAvailable && (input.date === undefined || input.time === undefined)) {
    issues.addIssue({ code: 'custom', message: 'give --date and --time, or --next-available' });
  }
  if (!input.nextAvailable && input.after !== undefined) issues.addIssue({ code: 'custom', message: '--after goes with --next-available' });
}

/**
 * The first free slot of `durationMinutes` with the doctor for the patient, from `after` (default:
 * today) within the next-available horizon, read through `db` (a transaction's, for `book`); exit 7
 * when there is none.
 */
export async function firstFreeSlot(
  db: Knex,
  request: { doctor: DoctorRow; patient: Pick<PatientRow, 'id' | 'username'>; after: string | undefined; durationMinutes: number; zone: string; now: Date },
): Promise<{ start: DateTime; end: DateTime }> {
  const { doctor, patient, durationMinutes, zone, now } = request;
  if (request.after !== undefined) parseClinicDate(request.after, '--after date');
  const fromDate = request.after ?? clinicDate(now, zone);
  const [first] = await freeSlots(db, {
    doctor,
    patientId: patient.id,
    fromDate,
    days: NEXT_AVAILABLE_HORIZON_DAYS,
    zone,
    durationMinutes,
    notBefore: now,
    first: true,
  });
  if (!first) {
    throw new ConflictError(
      `No free ${durationMinutes}-minute slot with ${doctor.username} for ${patient.username} in the ${NEXT_AVAILABLE_HORIZON_DAYS} days from ${fromDate}.`,
      {
        remedy: 'Try a later --after date, or another doctor.',
        reason: 'NO_FREE_SLOT',
      },
    );
  }
  return first;
}

/** The start of the first free slot (firstFreeSlot) for a reschedule. */
export async function nextAvailableStart(
  ctx: DomainContext,
  request: { doctor: DoctorRow; patient: PatientRow; after: string | undefined; durationMinutes: number; zone: string; now: Date },
): Promise<DateTime> {
  return (await firstFreeSlot(ctx.db, request)).start;
}

/** The doctor and the patient of an appointment the actor may already see (reschedule). */
export async function loadParties(ctx: DomainContext, doctorRef: string, patientRef: string): Promise<{ doctor: DoctorRow; patient: PatientRow }> {
  const doctor = await requireDoctor(ctx.db, doctorRef);
  const patient = await findPatientByRef(ctx.db, patientRef);
  if (!patient) throw noSuch('patient', patientRef);
  return { doctor, patient };
}

export function assertPartiesActive(doctor: DoctorRow, patient: PatientRow): void {
  if (doctor.status !== 'active') throw new ConflictError(`Doctor ${doctor.username} is disabled and takes no appointments.`, { reason: 'ACCOUNT_DISABLED' });
  if (patient.status !== 'active') throw new ConflictError(`Patient ${patient.username} is disabled and cannot be booked.`, { reason: 'ACCOUNT_DISABLED' });
}

/**
 * Books an appointment (DESIGN §6): staff book PENDING unless --approve, a doctor books their own
 * patients APPROVED, a patient books themself PENDING. The patient joins the doctor's panel in the
 * same transaction.
 */
export async function bookAppointment(ctx: DomainContext, rawInput: BookInput): Promise<AppointmentView> {
  const input = parseWith(bookSchema, rawInput);
  const { actor, zone, doctor, patient, panel, durationMinutes } = await prepareBooking(ctx, input);
  const key = input.idempotencyKey === undefined ? undefined : checkIdempotencyKey(input.idempotencyKey);
  const booking: BookingRequest = {
    patientId: patient.id,
    doctorId: doctor.id,
    date: input.date ?? null,
    time: input.time ?? null,
    nextAvailable: input.nextAvailable ?? false,
    after: input.after ?? null,
    durationMinutes,
    reason: input.reason || null,
    approve: input.approve ?? false,
  };
  const fingerprint = requestFingerprint(booking);
  const repeat = async () => {
    if (key === undefined) return undefined;
    const requested = () => (input.nextAvailable ? null : toClinicInstant(input.date!, input.time!, zone).toJSDate());
    return findRepeat(ctx.db, actor, key, booking, fingerprint, requested);
  };
  const earlier = await repeat();
  if (earlier) return appointmentView(earlier, zone);
  assertPartiesActive(doctor, patient);
  const now = ctx.now();

  if (input.nextAvailable && input.after !== undefined) parseClinicDate(input.after, '--after date');
  // --next-available: the slot is found inside the booking's transaction (its statements are the
  // check: on the grid, in hours, outside time-off, not past, clear of both parties); a given time is
  // checked there against the schedule, and a clash is left to the exclusion constraints, whose
  // 23P01 withClashMessages turns into the same message the check would have given.
  const request: SlotRequest = {
    doctor,
    patientId: patient.id,
    patientUsername: patient.username,
    start: !input.nextAvailable ? toClinicInstant(input.date!, input.time!, zone) : DateTime.invalid('not found yet'),
    durationMinutes,
    zone,
    now,
  };
  const insert = () =>
    withClashMessages(ctx, actor, request, () =>
      inTransaction(ctx, async (trx) => {
        let interval: Interval;
        if (!input.nextAvailable) interval = await assertSlotBookable(trx, actor, request, { clashes: 'constraint' });
        else {
          const first = await firstFreeSlot(trx, { doctor, patient, after: input.after, durationMinutes, zone, now });
          request.start = first.start;
          interval = { startsAt: first.start.toJSDate(), endsAt: first.end.toJSDate() };
        }
        const created = await bookSlot(
          trx,
          actor,
          request,
          {
            reason: input.reason || null,
            status: initialBookingStatus(actor, input.approve),
            ...(key === undefined ? {} : { external_id: key, request_fingerprint: fingerprint }),
          },
          {},
          { interval, panel },
        );
        return created;
      }),
    );
  let created: AppointmentRow;
  try {
    created = await insert();
  } catch (error) {
    // The same key booked by another process at the same moment: answer as its repeat.
    if (key === undefined || sqlState(error) !== SqlState.uniqueViolation || constraintName(error) !== 'appointments_external_id_key') throw error;
    const winner = await repeat();
    if (!winner) throw error;
    return appointmentView(winner, zone);
  }
  return appointmentView({ ...created, patient_username: patient.username, doctor_username: doctor.username }, zone);
}

/** Who books what: the parties (the patient as the actor may see them), the permission, the duration. */
export async function prepareBooking(
  ctx: DomainContext,
  input: { patient: string; doctor: string; durationMinutes?: number | undefined; approve?: boolean | undefined },
): Promise<{ actor: Actor; zone: string; doctor: DoctorRow; patient: PatientRow; panel: string[]; durationMinutes: number }> {
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const doctor = await requireDoctor(ctx.db, input.doctor);
  const { patient, panel } = await findVisiblePatient(ctx, actor, input.patient, 'appointments.book');
  const audit = { entity: 'appointment', patientId: patient.id, details: { doctorId: doctor.id } };
  await authorize(ctx, actor, 'appointments.book', { doctorId: doctor.id, patientId: patient.id, panelDoctorIds: panel }, audit);
  if (input.approve && !mayApproveWhileBooking(actor)) {
    await recordAudit(ctx.db, actor, { ...audit, action: 'appointments.approve', outcome: 'denied' });
    throw new ForbiddenError(`Only staff and admins use --approve: a doctor's bookings are approved already, a patient's wait for approval.`);
  }
  return { actor, zone, doctor, patient, panel, durationMinutes: checkDuration(input.durationMinutes, doctor.slot_minutes) };
}

/**
 * One booking inside the caller's transaction: every booking rule (assertSlotBookable), the row,
 * the patient on the doctor's panel, the audit row. `book`, a series and a waitlist offer all
 * come through here. `actor` null is the clinic booking on its own (a waitlist offer): the row's
 * created_by and the audit row's actor name nobody, as for the clinic's other own writes.
 */
export async function bookSlot(
  trx: Knex.Transaction,
  actor: Actor | null,
  request: SlotRequest,
  row: Pick<NewAppointmentRow, 'reason' | 'status'> & Partial<Pick<NewAppointmentRow, 'series_id' | 'external_id' | 'request_fingerprint'>>,
  audit: Record<string, unknown> = {},
  known: { interval?: Interval; panel?: readonly string[] } = {},
): Promise<AppointmentRow> {
  // `book` passes the interval it has checked inside this transaction; a series occurrence and a
  // waitlist offer get every rule here, clashes included, so a clash does not abort their transaction.
  const interval = known.interval ?? (await assertSlotBookable(trx, actor, request));
  const created = await insertAppointment(trx, {
    ...row,
    patient_id: request.patientId,
    doctor_id: request.doctor.id,
    starts_at: interval.startsAt,
    ends_at: interval.endsAt,
    created_by: actor?.id ?? null,
  });
  // Already on the panel (read with the patient): nothing to add.
  if (!known.panel?.includes(request.doctor.id)) await addToPanel(trx, request.doctor.id, request.patientId);
  await recordAudit(trx, actor, {
    action: 'appointments.book',
    entity: 'appointment',
    entityId: created.id,
    patientId: request.patientId,
    details: {
      doctorId: request.doctor.id,
      startsAt: created.starts_at.toISOString(),
      status: created.status,
      ...(created.series_id ? { seriesId: created.series_id } : {}),
      ...audit,
    },
  });
  return created;
}

/**
 * `work` in a savepoint of `trx`: a booking that meets the exclusion constraints (23P01, another
 * transaction won the slot after our check) becomes the same clash message as the check's, and
 * the transaction goes on. Deadlocks and serialization failures abort the whole transaction, for
 * inTransaction to retry.
 */
export async function inSavepoint<T>(
  trx: Knex.Transaction,
  actor: Actor | null,
  request: SlotRequest,
  work: (savepoint: Knex.Transaction) => Promise<T>,
): Promise<T> {
  try {
    return await trx.transaction(work);
  } catch (error) {
    if (sqlState(error) !== SqlState.exclusionViolation) throw error;
    const end = request.start.plus({ minutes: request.durationMinutes }).toJSDate();
    const [clash] = await findActiveOverlapping(trx, { doctorId: request.doctor.id, patientId: request.patientId }, request.start.toJSDate(), end);
    if (clash) throw clashError(actor, clash, request);
    throw new ConflictError('That time is no longer available.', { cause: error, reason: 'SLOT_TAKEN' });
  }
}

/**
 * A booking that lost a race reaches the exclusion constraint (23P01) after its own check passed:
 * turn that into the same conflict message, naming the winner only when the actor may see it.
 */
export async function withClashMessages<T>(ctx: DomainContext, actor: Actor, request: SlotRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Still deadlocked after inTransaction's retries: too many bookings at once for this slot.
    if (isRetryable(error)) throw new ConflictError('That time is being booked by others right now; try again.', { cause: error, reason: 'SLOT_TAKEN' });
    if (sqlState(error) !== SqlState.exclusionViolation) throw error;
    const end = request.start.plus({ minutes: request.durationMinutes }).toJSDate();
    const [clash] = await findActiveOverlapping(ctx.db, { doctorId: request.doctor.id, patientId: request.patientId }, request.start.toJSDate(), end);
    if (clash) throw clashError(actor, clash, request);
    throw new ConflictError('That time is no longer available.', { cause: error, reason: 'SLOT_TAKEN' });
  }
}
