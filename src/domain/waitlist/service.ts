import { z } from 'zod';
import {
  findWaitlistEntriesByIdPrefix,
  findWaitlistEntryById,
  insertWaitlistEntry,
  listWaitlist as listWaitlistRows,
  removeWaitlistEntry,
  type WaitlistStatus,
  type WaitlistWithNamesRow,
} from '../../db/repositories/waitlist.js';
import { authorize, recordAudit } from '../audit/record.js';
import { formatTimeOfDay, parseClinicDate, parseTimeOfDay } from '../clinic-time.js';
import type { DomainContext } from '../context.js';
import { requireDoctor } from '../doctors/service.js';
import { dayName, parseDays } from '../doctors/hours.js';
import { ConflictError, ValidationError } from '../errors.js';
import { findVisiblePatient } from '../patients/lookup.js';
import { requireActor, waitlistScope } from '../policy.js';
import { resolveById } from '../references.js';
import { inTransaction } from '../transaction.js';
import { parseWith } from '../validation.js';
import { panelDoctorIds } from '../../db/repositories/patients.js';

export const WAITLIST_STATUSES = ['WAITING', 'FULFILLED', 'REMOVED'] as const satisfies readonly WaitlistStatus[];

/** A waitlist entry as commands show it; dates and times are the clinic's wall clock. */
export interface WaitlistEntryView {
  id: string;
  patientId: string;
  doctorId: string;
  patient: string;
  doctor: string;
  /** first and last day the patient can come (inclusive), null for open-ended */
  fromDate: string | null;
  toDate: string | null;
  /** "09:00-12:00", null for any time of the doctor's day */
  times: string | null;
  days: string[];
  status: WaitlistStatus;
  /** the appointment it was given, once FULFILLED */
  appointmentId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function waitlistEntryView(row: WaitlistWithNamesRow): WaitlistEntryView {
  return {
    id: row.id,
    patientId: row.patient_id,
    doctorId: row.doctor_id,
    patient: row.patient_username,
    doctor: row.doctor_username,
    fromDate: row.from_date,
    toDate: row.to_date,
    times: row.from_time && row.to_time ? `${row.from_time.slice(0, 5)}-${row.to_time.slice(0, 5)}` : null,
    days: row.weekdays.map((weekday) => dayName(weekday)),
    status: row.status,
    appointmentId: row.appointment_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface AddToWaitlistInput {
  patient: string;
  doctor: string;
  from?: string | undefined;
  to?: string | undefined;
  times?: string | undefined;
  days?: string | undefined;
}

/** `09:00-12:00` → both ends as HH:MM, the first before the second (24:00 may end it). */
function parseTimes(text: string): { from: string; to: string } {
  const [start, end, ...rest] = text.split('-');
  if (start === undefined || end === undefined || rest.length > 0) {
    throw new ValidationError(`Invalid --times "${text}": give a range like 09:00-12:00.`);
  }
  const from = parseTimeOfDay(start);
  const to = parseTimeOfDay(end);
  if (from >= to) throw new ValidationError(`Invalid --times "${text}": the range must end after it starts.`);
  return { from: formatTimeOfDay(from), to: formatTimeOfDay(to) };
}

/**
 * Puts a patient on a doctor's waitlist: the next freed slot of that doctor inside the window
 * (dates, time of day, weekdays) is offered to the earliest matching entry (offer.ts).
 */
export async function addToWaitlist(ctx: DomainContext, input: AddToWaitlistInput): Promise<WaitlistEntryView> {
  parseWith(
    z.object({ patient: z.string().trim().min(1, 'a patient is required (--patient)'), doctor: z.string().trim().min(1, 'a doctor is required (--doctor)') }),
    input,
  );
  const actor = requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, input.doctor);
  const { patient, panel } = await findVisiblePatient(ctx, actor, input.patient, 'waitlist.add');
  const audit = { entity: 'waitlist', patientId: patient.id, details: { doctorId: doctor.id } };
  await authorize(ctx, actor, 'waitlist.manage', { doctorId: doctor.id, patientId: patient.id, panelDoctorIds: panel }, audit);
  if (input.from !== undefined) parseClinicDate(input.from, '--from date');
  if (input.to !== undefined) parseClinicDate(input.to, '--to date');
  if (input.from !== undefined && input.to !== undefined && input.to < input.from)
    throw new ValidationError(`--to ${input.to} is before --from ${input.from}.`);
  const times = input.times === undefined ? undefined : parseTimes(input.times);
  const weekdays = input.days === undefined ? [1, 2, 3, 4, 5, 6, 7] : parseDays(input.days);
  if (doctor.status !== 'active') throw new ConflictError(`Doctor ${doctor.username} is disabled and takes no appointments.`, { reason: 'ACCOUNT_DISABLED' });
  if (patient.status !== 'active') throw new ConflictError(`Patient ${patient.username} is disabled and cannot be booked.`, { reason: 'ACCOUNT_DISABLED' });
  const id = await inTransaction(ctx, async (trx) => {
    const id = await insertWaitlistEntry(trx, {
      patient_id: patient.id,
      doctor_id: doctor.id,
      from_date: input.from ?? null,
      to_date: input.to ?? null,
      from_time: times?.from ?? null,
      to_time: times?.to ?? null,
      weekdays,
      created_by: actor.id,
    });
    await recordAudit(trx, actor, { ...audit, action: 'waitlist.add', entityId: id });
    return id;
  });
  return waitlistEntryView((await findWaitlistEntryById(ctx.db, id))!);
}

/** The entries the actor may see, earliest first (the order slots are offered in); WAITING ones unless a status is given. */
export async function listWaitlist(
  ctx: DomainContext,
  input: { doctor?: string | undefined; patient?: string | undefined; status?: string | undefined },
): Promise<WaitlistEntryView[]> {
  const actor = requireActor(ctx.actor);
  const status = (input.status ?? 'WAITING').toUpperCase();
  if (!(WAITLIST_STATUSES as readonly string[]).includes(status))
    throw new ValidationError(`Invalid --status "${input.status}": use ${WAITLIST_STATUSES.join(', ')}.`);
  const doctorId = input.doctor === undefined ? undefined : (await requireDoctor(ctx.db, input.doctor)).id;
  // a patient the actor may not see is refused exactly like an unknown one
  const patientId = input.patient === undefined ? undefined : (await findVisiblePatient(ctx, actor, input.patient, 'waitlist.list')).patient.id;
  const scope = waitlistScope(actor);
  const rows = await listWaitlistRows(ctx.db, {
    status: status as WaitlistStatus,
    ...(doctorId ? { doctorId } : {}),
    ...(patientId ? { patientId } : {}),
    ...(scope.doctorId ? { ownDoctorId: scope.doctorId } : {}),
    ...(scope.patientId ? { ownPatientId: scope.patientId } : {}),
  });
  return rows.map(waitlistEntryView);
}

/** Takes a WAITING entry off the list (REMOVED; the row stays, as appointments do). */
export async function removeFromWaitlist(ctx: DomainContext, ref: string): Promise<WaitlistEntryView> {
  const actor = requireActor(ctx.actor);
  const entry = await resolveById(ctx, actor, ref, {
    kind: 'waitlist_entry',
    action: 'waitlist.remove',
    find: (prefix, reach, limit) => findWaitlistEntriesByIdPrefix(ctx.db, prefix, reach === 'visible' ? waitlistScope(actor) : {}, limit),
    audited: (row) => ({ id: row.id, patientId: row.patient_id }),
  });
  const audit = { entity: 'waitlist', entityId: entry.id, patientId: entry.patient_id };
  const panel = await panelDoctorIds(ctx.db, entry.patient_id);
  await authorize(ctx, actor, 'waitlist.manage', { doctorId: entry.doctor_id, patientId: entry.patient_id, panelDoctorIds: panel }, audit);
  await inTransaction(ctx, async (trx) => {
    if (!(await removeWaitlistEntry(trx, entry.id))) {
      throw new ConflictError(`Waitlist entry ${entry.id.slice(0, 8)} is ${entry.status} and cannot be removed.`, { reason: 'ILLEGAL_TRANSITION' });
    }
    await recordAudit(trx, actor, { ...audit, action: 'waitlist.remove', details: { from: 'WAITING', to: 'REMOVED' } });
  });
  return waitlistEntryView((await findWaitlistEntryById(ctx.db, entry.id))!);
}
