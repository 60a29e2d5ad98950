import { z } from 'zod';
import { countAppointments, listAppointments as listAppointmentRows, type AppointmentFilter } from '../../db/repositories/appointments.js';
import { findPatientByRef } from '../../db/repositories/patients.js';
import { recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { appointmentScope, mayBeHidden, requireActor, type Actor } from '../policy.js';
import { requireDoctor } from '../doctors/service.js';
import { noSuch } from '../references.js';
import { clinicTimeZone } from '../settings/service.js';
import { parseWith } from '../validation.js';
import { resolveAppointment } from './lookup.js';
import { APPOINTMENT_STATUSES, type AppointmentStatus } from '../../db/schema-values.js';
import { clinicDate, parseClinicDate, startOfClinicDay } from '../clinic-time.js';
import { checkDuration, timeSlotLabel } from './rules.js';
import { freeSlots, type FreeSlot } from './schedule.js';
import { appointmentView, type AppointmentView } from './view.js';
import { checkLimit, fetchPage, type ListLimit, type Page } from '../paging.js';

export interface ListInput {
  doctor?: string | undefined;
  patient?: string | undefined;
  date?: string | undefined;
  /** only the clinic zone's today: --date with the clinic's own date */
  today?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: string | undefined;
  limit?: number | undefined;
}

export type ListPageInput = Omit<ListInput, 'limit'> & { limit?: ListLimit | undefined };

const listSchema = z
  .object({
    doctor: z.string().optional(),
    patient: z.string().optional(),
    date: z.string().optional(),
    today: z.boolean().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    status: z
      .string()
      .transform((value) => value.trim().toUpperCase().replace('-', '_'))
      .pipe(z.enum(APPOINTMENT_STATUSES, { message: `the status is one of ${APPOINTMENT_STATUSES.join(', ')}` }))
      .optional(),
    limit: z.number().int('--limit is a whole number').min(1, '--limit is at least 1').max(100_000, '--limit is at most 100000').optional(),
  })
  .refine((input) => input.date === undefined || (input.from === undefined && input.to === undefined), { message: 'give --date, or --from/--to, not both' })
  .refine((input) => !input.today || (input.date === undefined && input.from === undefined && input.to === undefined), {
    message: 'give --today, or --date, or --from/--to, not several',
  });

/**
 * Appointments in time order, from today on unless a date or range is given (dates are the
 * clinic's, --to inclusive). Doctors and patients see only their own, whatever they filter by.
 */
export async function listAppointments(ctx: DomainContext, rawInput: ListPageInput = {}): Promise<Page<AppointmentView>> {
  const actor = requireActor(ctx.actor);
  const limit = checkLimit(rawInput.limit);
  const { filter, zone, patientId, namesNobody } = await appointmentFilter(ctx, actor, { ...rawInput, limit: undefined }, { fromToday: true });
  if (namesNobody) return { items: [], total: 0 };
  const { items: rows, total } = await fetchPage(
    limit,
    (n) => listAppointmentRows(ctx.db, { ...filter, limit: n }),
    () => countAppointments(ctx.db, filter),
  );
  // A view of the patient's record; for a doctor or patient, only when something of it was shown,
  // so that an unknown --patient and one with none of their appointments leave the same trace.
  if (patientId && actor.id !== patientId && (rows.length > 0 || !mayBeHidden(actor, 'patient'))) {
    await recordAudit(ctx.db, actor, { action: 'appointments.list', entity: 'patient', entityId: patientId, patientId, details: { count: rows.length } });
  }
  return { items: rows.map((row) => appointmentView(row, zone)), total };
}

/**
 * The list filters (--doctor, --patient, --date | --from/--to, --status, --limit) checked and
 * resolved for the repository, limited to what `actor` may see. Without a date, `fromToday`
 * starts at today (`list`); otherwise there is no lower bound (`export`).
 */
export async function appointmentFilter(
  ctx: DomainContext,
  actor: Actor,
  rawInput: ListInput,
  options: { fromToday: boolean },
): Promise<{ filter: AppointmentFilter; zone: string; patientId: string | undefined; namesNobody: boolean }> {
  const { today: onlyToday, ...parsed } = parseWith(listSchema, rawInput);
  const zone = await clinicTimeZone(ctx);
  const input = onlyToday ? { ...parsed, date: clinicDate(ctx.now(), zone) } : parsed;
  const dayAfter = (date: string) => startOfClinicDay(date, zone).plus({ days: 1 }).startOf('day').toJSDate();
  if (input.date) parseClinicDate(input.date, '--date');
  if (input.from) parseClinicDate(input.from, '--from date');
  if (input.to) parseClinicDate(input.to, '--to date');
  if (input.from && input.to && input.to < input.from) throw new ValidationError(`--to ${input.to} is before --from ${input.from}.`);

  let doctorId: string | undefined;
  if (input.doctor) doctorId = (await requireDoctor(ctx.db, input.doctor)).id;
  let patientId: string | undefined;
  let namesNobody = false;
  if (input.patient) {
    const patient = await findPatientByRef(ctx.db, input.patient.trim());
    if (patient) patientId = patient.id;
    // Filters only narrow what a doctor or patient sees: an unknown patient is an empty list for
    // them, exactly like a patient they have no appointments with.
    else if (mayBeHidden(actor, 'patient')) namesNobody = true;
    else throw noSuch('patient', input.patient);
  }
  const from = input.date ?? input.from;
  const today = options.fromToday && !input.to ? startOfClinicDay(clinicDate(ctx.now(), zone), zone).toJSDate() : undefined;
  const own = appointmentScope(actor);
  const filter: AppointmentFilter = {
    doctorId,
    patientId,
    from: from ? startOfClinicDay(from, zone).toJSDate() : today,
    to: input.date ? dayAfter(input.date) : input.to ? dayAfter(input.to) : undefined,
    status: input.status as AppointmentStatus | undefined,
    limit: input.limit,
    ...(own.doctorId ? { ownDoctorId: own.doctorId } : {}),
    ...(own.patientId ? { ownPatientId: own.patientId } : {}),
  };
  return { filter, zone, patientId, namesNobody };
}

/** One appointment; viewing it is audited as a view of the patient's record. */
export async function showAppointment(ctx: DomainContext, input: { appointment: string }): Promise<AppointmentView> {
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const row = await resolveAppointment(ctx, actor, input.appointment);
  await recordAudit(ctx.db, actor, { action: 'appointments.show', entity: 'appointment', entityId: row.id, patientId: row.patient_id });
  return appointmentView(row, zone);
}

/** A free slot as `appointments slots` shows it. */
export interface SlotView {
  date: string;
  time: string;
  timeSlot: string;
  startsAt: string;
  endsAt: string;
}

export const MAX_SLOT_DAYS = 62;

/** The doctor's free slots (one slot long) over `days` dates from `date`, not in the past. */
export async function listFreeSlots(ctx: DomainContext, input: { doctor: string; date: string; days?: number | undefined }): Promise<SlotView[]> {
  requireActor(ctx.actor);
  parseClinicDate(input.date);
  const days = input.days ?? 1;
  if (!Number.isInteger(days) || days < 1 || days > MAX_SLOT_DAYS) throw new ValidationError(`--days must be a whole number from 1 to ${MAX_SLOT_DAYS}.`);
  const zone = await clinicTimeZone(ctx);
  const doctor = await requireDoctor(ctx.db, input.doctor);
  if (doctor.status !== 'active') return [];
  const durationMinutes = checkDuration(undefined, doctor.slot_minutes);
  return slotViews(await freeSlots(ctx.db, { doctor, fromDate: input.date, days, zone, durationMinutes, notBefore: ctx.now() }), zone);
}

export function slotViews(slots: readonly FreeSlot[], zone: string): SlotView[] {
  return slots.map(({ start, end }) => ({
    date: start.toISODate()!,
    time: start.toFormat('HH:mm'),
    timeSlot: timeSlotLabel({ startsAt: start.toJSDate(), endsAt: end.toJSDate() }, zone),
    startsAt: start.toJSDate().toISOString(),
    endsAt: end.toJSDate().toISOString(),
  }));
}
