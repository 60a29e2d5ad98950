import type { Knex } from 'knex';
import { findAppointmentById, insertAppointment, lockAppointment, updateAppointment, type AppointmentRow } from '../../db/repositories/appointments.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.js';
import { noSuch } from '../references.js';
import { refusedOnlyForHavingStarted, requireActor, rescheduledStatus, type Action, type Actor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { z } from 'zod';
import { assertPartiesActive, checkWhen, loadParties, nextAvailableStart, withClashMessages, type WhenInput } from './booking.js';
import { parseWith } from '../validation.js';
import { resolveAppointment } from './lookup.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import { clinicDate, clinicTime, parseClinicDate, startOfClinicDay, toClinicInstant } from '../clinic-time.js';
import { assertSlotBookable, freeSlots, type SlotRequest } from './schedule.js';
import { slotViews, type SlotView } from './queries.js';
import { appointmentView, shortId, type AppointmentView } from './view.js';
import { offerFreedSlot } from '../waitlist/offer.js';

/** DESIGN §6: the only moves an appointment can make. */
export const TRANSITIONS: Readonly<Record<AppointmentStatus, readonly AppointmentStatus[]>> = {
  PENDING: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['CHECKED_IN', 'CANCELLED', 'NO_SHOW'],
  CHECKED_IN: ['COMPLETED'],
  REJECTED: [],
  CANCELLED: [],
  COMPLETED: [],
  NO_SHOW: [],
};

/** Exit 7 for an illegal move, saying what the current state allows. */
export function assertTransition(row: Pick<AppointmentRow, 'id' | 'status'>, to: AppointmentStatus): void {
  const allowed = TRANSITIONS[row.status];
  if (allowed.includes(to)) return;
  const next = allowed.length === 0 ? `${row.status} is final: no further change is allowed.` : `From ${row.status} it can only become ${allowed.join(', ')}.`;
  const message =
    row.status === to
      ? `Appointment ${shortId(row.id)} is already ${to}.${allowed.length === 0 ? ` ${next}` : ''}`
      : `Appointment ${shortId(row.id)} is ${row.status} and cannot become ${to}. ${next}`;
  throw new ConflictError(message, {
    reason: 'ILLEGAL_TRANSITION',
    details: { from: row.status, to, allowed },
  });
}

/**
 * The earliest moment an appointment may take a status: check-in (and so completion) from the
 * start of its day in the clinic zone, a no-show from its start. The status commands and the
 * importer both ask this, so whatever a command could record, an export of it imports again.
 * `dayStart` gives the first instant of the appointment's clinic-local day.
 */
export function statusPossibleFrom(status: AppointmentStatus, startsAt: Date, dayStart: () => Date): Date | null {
  switch (status) {
    case 'CHECKED_IN':
    case 'COMPLETED':
      return dayStart();
    case 'NO_SHOW':
      return startsAt;
    default:
      return null;
  }
}

/** "2027-02-01 09:00 (Europe/Lisbon)" */
function clinicMoment(instant: Date, zone: string): string {
  return `${clinicDate(instant, zone)} ${clinicTime(instant, zone)} (${zone})`;
}

const TOO_EARLY: Partial<Record<AppointmentStatus, string>> = {
  CHECKED_IN: 'checked in before its day',
  COMPLETED: 'completed before its day',
  NO_SHOW: 'marked a no-show before it starts',
};

/**
 * Exit 7 for a change at the wrong time, saying when it becomes possible. Check-in is for the
 * appointment's day only: on a later day it is over (a no-show, or a new booking).
 */
export function assertStatusTimely(row: Pick<AppointmentRow, 'id' | 'starts_at'>, to: AppointmentStatus, now: Date, zone: string): void {
  const day = clinicDate(row.starts_at, zone);
  const possibleFrom = statusPossibleFrom(to, row.starts_at, () => startOfClinicDay(day, zone).toJSDate());
  if (possibleFrom && now.getTime() < possibleFrom.getTime()) {
    throw new ConflictError(`Appointment ${shortId(row.id)} cannot be ${TOO_EARLY[to]}: that is possible from ${clinicMoment(possibleFrom, zone)}.`, {
      reason: 'TOO_EARLY',
      details: { to, possibleFrom: possibleFrom.toISOString() },
    });
  }
  if (to === 'CHECKED_IN' && clinicDate(now, zone) > day) {
    throw new ConflictError(`Appointment ${shortId(row.id)} was on ${day}: check-in is possible only on the day of the appointment.`, {
      remedy: `Mark it as a no-show (clinic appointments noshow ${shortId(row.id)}) or book a new appointment.`,
      reason: 'TOO_LATE',
      details: { to, day },
    });
  }
}

/** The status verbs, who may use them (policy action) and the state they lead to. */
export const STATUS_VERBS = {
  approve: { action: 'appointments.decide', to: 'APPROVED' },
  reject: { action: 'appointments.decide', to: 'REJECTED' },
  cancel: { action: 'appointments.change', to: 'CANCELLED' },
  checkin: { action: 'appointments.attend', to: 'CHECKED_IN' },
  complete: { action: 'appointments.attend', to: 'COMPLETED' },
  noshow: { action: 'appointments.attend', to: 'NO_SHOW' },
} as const satisfies Record<string, { action: Action; to: AppointmentStatus }>;

export type StatusVerb = keyof typeof STATUS_VERBS;

/** The changes that give a slot back to the waitlist (a no-show's slot has passed). */
const FREES_SLOT: readonly StatusVerb[] = ['cancel', 'reject'];

/** Authorizes a change to an existing appointment; a patient may change theirs only before it starts. */
export async function authorizeChange(ctx: DomainContext, actor: Actor, action: Action, row: AppointmentRow): Promise<void> {
  const facts = { doctorId: row.doctor_id, patientId: row.patient_id, hasStarted: row.starts_at.getTime() <= ctx.now().getTime() };
  try {
    await authorize(ctx, actor, action, facts, { entity: 'appointment', entityId: row.id, patientId: row.patient_id });
  } catch (error) {
    if (error instanceof ForbiddenError && refusedOnlyForHavingStarted(actor, action, facts)) {
      throw new ForbiddenError('You can change an appointment only before it starts.', { remedy: 'Call the clinic.' });
    }
    throw error;
  }
}

/** The reason given to a status change, trimmed (null: none): required to cancel, at most 1000 characters. */
export function statusReason(verb: StatusVerb, text: string | undefined): string | null {
  const reason = text?.trim() || null;
  if (verb === 'cancel' && !reason) throw new ValidationError('A reason is required to cancel (--reason).');
  if (reason && reason.length > 1000) throw new ValidationError('The reason is limited to 1000 characters.');
  return reason;
}

/** approve, reject, cancel, checkin, complete, noshow: one locked row, one audited update. */
export async function changeAppointmentStatus(
  ctx: DomainContext,
  input: { appointment: string; verb: StatusVerb; reason?: string | undefined; waitlist?: boolean | undefined },
): Promise<AppointmentView> {
  const verb = STATUS_VERBS[input.verb];
  if (!verb) throw new ValidationError(`Unknown appointment action "${input.verb}".`);
  const reason = statusReason(input.verb, input.reason);
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const found = await resolveAppointment(ctx, actor, input.appointment);
  await authorizeChange(ctx, actor, verb.action, found);
  await inTransaction(ctx, async (trx) => {
    const row = await lockAppointment(trx, found.id);
    if (!row) throw noSuch('appointment', input.appointment);
    assertTransition(row, verb.to);
    assertStatusTimely(row, verb.to, ctx.now(), zone);
    await updateAppointment(trx, row.id, {
      status: verb.to,
      ...(reason && (input.verb === 'cancel' || input.verb === 'reject') ? { cancel_reason: reason } : {}),
    });
    await recordAudit(trx, actor, {
      action: `appointments.${input.verb}`,
      entity: 'appointment',
      entityId: row.id,
      patientId: row.patient_id,
      details: { from: row.status, to: verb.to, ...(reason ? { reason } : {}) },
    });
    if (FREES_SLOT.includes(input.verb) && input.waitlist !== false) await offerFreedSlot(trx, row, zone, ctx.now());
  });
  return appointmentView((await findAppointmentById(ctx.db, found.id))!, zone);
}

/**
 * Moves an appointment in ONE transaction: the old one becomes CANCELLED ("rescheduled") first, so
 * it does not clash with its successor; the new one (same doctor, patient, duration and reason)
 * passes every booking rule and links back with rescheduledFromId. A patient's reschedule waits
 * for approval again (PENDING); anyone else's keeps the status it had.
 */
const rescheduleWhenSchema = z
  .object({ date: z.string().optional(), time: z.string().optional(), nextAvailable: z.boolean().optional(), after: z.string().optional() })
  .superRefine(checkWhen);

/**
 * Moves an appointment to --date/--time, or with --next-available to the first free slot of the
 * same length (the search book --next-available uses; the appointment's own time counts as taken).
 */
export async function rescheduleAppointment(
  ctx: DomainContext,
  input: { appointment: string; waitlist?: boolean | undefined } & WhenInput,
): Promise<AppointmentView> {
  const when = parseWith(rescheduleWhenSchema, { date: input.date, time: input.time, nextAvailable: input.nextAvailable, after: input.after });
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const requestedStart = when.nextAvailable ? undefined : toClinicInstant(when.date!, when.time!, zone);
  const { found, doctor, patient, durationMinutes } = await appointmentToMove(ctx, actor, input.appointment);
  assertPartiesActive(doctor, patient);
  const now = ctx.now();
  const start = requestedStart ?? (await nextAvailableStart(ctx, { doctor, patient, after: when.after, durationMinutes, zone, now }));
  const request: SlotRequest = { doctor, patientId: patient.id, patientUsername: patient.username, start, durationMinutes, zone, now };
  const id = await withClashMessages(ctx, actor, request, () =>
    inTransaction(ctx, async (trx) => {
      const old = await lockAppointment(trx, found.id);
      if (!old) throw noSuch('appointment', input.appointment);
      await cancelForReschedule(trx, actor, old);
      const created = await bookReplacement(trx, actor, old, request);
      if (input.waitlist !== false) await offerFreedSlot(trx, old, zone, ctx.now());
      return created.id;
    }),
  );
  return appointmentView((await findAppointmentById(ctx.db, id))!, zone);
}

/**
 * The starts on one day an appointment can move to (reschedule's time picker): its doctor's free
 * slots of its length that its patient is free for too, its own time taken, as for --next-available.
 * It asks what rescheduleAppointment asks of the actor, so the list shows nobody more.
 */
export async function rescheduleSlots(ctx: DomainContext, input: { appointment: string; date: string }): Promise<SlotView[]> {
  const actor = requireActor(ctx.actor);
  parseClinicDate(input.date);
  const zone = await clinicTimeZone(ctx);
  const { doctor, patient, durationMinutes } = await appointmentToMove(ctx, actor, input.appointment);
  if (doctor.status !== 'active' || patient.status !== 'active') return [];
  const slots = await freeSlots(ctx.db, { doctor, patientId: patient.id, fromDate: input.date, days: 1, zone, durationMinutes, notBefore: ctx.now() });
  return slotViews(slots, zone);
}

/** The appointment a reschedule moves, once the actor may change it: its parties and its length. */
async function appointmentToMove(ctx: DomainContext, actor: Actor, ref: string) {
  const found = await resolveAppointment(ctx, actor, ref);
  await authorizeChange(ctx, actor, 'appointments.change', found);
  const { doctor, patient } = await loadParties(ctx, found.doctor_id, found.patient_id);
  return { found, doctor, patient, durationMinutes: Math.round((found.ends_at.getTime() - found.starts_at.getTime()) / 60_000) };
}

/** The first half of a reschedule: the old appointment becomes CANCELLED ("rescheduled"), audited. */
export async function cancelForReschedule(trx: Knex.Transaction, actor: Actor, old: AppointmentRow): Promise<void> {
  assertTransition(old, 'CANCELLED');
  await updateAppointment(trx, old.id, { status: 'CANCELLED', cancel_reason: 'rescheduled' });
  await recordAudit(trx, actor, {
    action: 'appointments.cancel',
    entity: 'appointment',
    entityId: old.id,
    patientId: old.patient_id,
    details: { from: old.status, to: 'CANCELLED', reason: 'rescheduled' },
  });
}

/**
 * The second half: its successor (same parties, reason and series) passes every booking rule and
 * links back with rescheduledFromId.
 */
export async function bookReplacement(trx: Knex.Transaction, actor: Actor, old: AppointmentRow, request: SlotRequest): Promise<AppointmentRow> {
  const interval = await assertSlotBookable(trx, actor, request);
  const created = await insertAppointment(trx, {
    patient_id: old.patient_id,
    doctor_id: old.doctor_id,
    starts_at: interval.startsAt,
    ends_at: interval.endsAt,
    reason: old.reason,
    status: rescheduledStatus(actor, old.status),
    created_by: actor.id,
    rescheduled_from_id: old.id,
    series_id: old.series_id,
  });
  await recordAudit(trx, actor, {
    action: 'appointments.reschedule',
    entity: 'appointment',
    entityId: created.id,
    patientId: created.patient_id,
    details: { from: old.starts_at.toISOString(), to: created.starts_at.toISOString(), rescheduledFromId: old.id, status: created.status },
  });
  return created;
}
