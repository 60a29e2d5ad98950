import { DateTime } from 'luxon';
import { z } from 'zod';
import { findActiveOverlapping, insertAppointment, type AppointmentRow } from '../../db/repositories/appointments.js';
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
  .superRefine((input, issues) => {
    if (input.nextAvailable && (input.date !== undefined || input.time !== undefined)) {
      issues.addIssue({ code: 'custom', message: 'give either --date and --time, or --next-available, not both' });
    }
    if (!input.nextAvailable && (input.date === undefined || input.time === undefined)) {
      issues.addIssue({ code: 'custom', message: 'give --date and --time, or --next-available' });
    }
    if (!input.nextAvailable && input.after !== undefined) issues.addIssue({ code: 'custom', message: '--after goes with --next-available' });
  });

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
  const durationMinutes = checkDuration(input.durationMinutes, doctor.slot_minutes);
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
  const fromDate = input.nextAvailable ? (input.after ?? clinicDate(now, zone)) : undefined;
  // --next-available: the slot is found inside the booking's transaction (its statements are the
  // check: on the grid, in hours, outside time-off, not past, clear of both parties); a given time is
  // checked there against the schedule, and a clash is left to the exclusion constraints, whose
  // 23P01 withClashMessages turns into the same message the check would have given.
  const request: SlotRequest = {
    doctor,
    patientId: patient.id,
    patientUsername: patient.username,
    start: fromDate === undefined ? toClinicInstant(input.date!, input.time!, zone) : DateTime.invalid('not found yet'),
    durationMinutes,
    zone,
    now,
  };
  const insert = () =>
    withClashMessages(ctx, actor, request, () =>
      inTransaction(ctx, async (trx) => {
        let interval: Interval;
        if (fromDate === undefined) interval = await assertSlotBookable(trx, actor, request, { clashes: 'constraint' });
        else {
          const [first] = await freeSlots(trx, {
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
          request.start = first.start;
          interval = { startsAt: first.start.toJSDate(), endsAt: first.end.toJSDate() };
        }
        const created = await insertAppointment(trx, {
          patient_id: patient.id,
          doctor_id: doctor.id,
          starts_at: interval.startsAt,
          ends_at: interval.endsAt,
          reason: input.reason || null,
          status: initialBookingStatus(actor, input.approve),
          created_by: actor.id,
          ...(key === undefined ? {} : { external_id: key, request_fingerprint: fingerprint }),
        });
        // Already on the panel (read with the patient): nothing to add.
        if (!panel.includes(doctor.id)) await addToPanel(trx, doctor.id, patient.id);
        await recordAudit(trx, actor, {
          action: 'appointments.book',
          entity: 'appointment',
          entityId: created.id,
          patientId: patient.id,
          details: { doctorId: doctor.id, startsAt: created.starts_at.toISOString(), status: created.status },
        });
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
