import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { findActiveOverlapping, findActiveTimesOverlapping, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { findHours, findTimeoff, type DoctorRow } from '../../db/repositories/doctors.js';
import { ConflictError, ValidationError } from '../errors.js';
import { canSeeAppointment, offersNextAvailable, type Actor } from '../policy.js';
import { checkSchedule, gridStarts, overlaps, type Interval, type WorkingRange } from './rules.js';
import { appointmentView, shortId } from './view.js';

/** How far `--next-available` looks ahead. */
export const NEXT_AVAILABLE_HORIZON_DAYS = 90;

export async function workingHoursFor(db: Knex, doctorId: string): Promise<WorkingRange[]> {
  const rows = await findHours(db, doctorId);
  return rows.map((row) => ({ weekday: row.weekday, start: row.start_time, end: row.end_time }));
}

async function timeoffBetween(db: Knex, doctorId: string, from: Date, to: Date): Promise<Interval[]> {
  const rows = await findTimeoff(db, doctorId, { from, to });
  return rows.map((row) => ({ startsAt: row.starts_at, endsAt: row.ends_at }));
}

export interface SlotRequest {
  doctor: DoctorRow;
  patientId: string;
  patientUsername: string;
  start: DateTime;
  durationMinutes: number;
  zone: string;
  now: Date;
}

/**
 * Every booking rule for one slot, on `db` (the booking's transaction): schedule problems are
 * invalid input (past, off the grid) or conflicts (outside hours, time-off); then the clash check,
 * which the exclusion constraints back up. With `clashes: 'constraint'` the caller inserts at once
 * and leaves the clash to those constraints (withClashMessages names it as this check would).
 * `actor` null is the clinic booking on its own (a waitlist offer).
 */
export async function assertSlotBookable(
  db: Knex,
  actor: Actor | null,
  request: SlotRequest,
  options: { clashes: 'check' | 'constraint' } = { clashes: 'check' },
): Promise<Interval> {
  const end = request.start.plus({ minutes: request.durationMinutes });
  const interval = { startsAt: request.start.toJSDate(), endsAt: end.toJSDate() };
  const problem = checkSchedule({
    start: request.start,
    durationMinutes: request.durationMinutes,
    hours: await workingHoursFor(db, request.doctor.id),
    slotMinutes: request.doctor.slot_minutes,
    timeoff: await timeoffBetween(db, request.doctor.id, interval.startsAt, interval.endsAt),
    now: request.now,
  });
  if (problem?.kind === 'past' || problem?.kind === 'off-grid') throw new ValidationError(problem.message);
  if (problem)
    throw new ConflictError(problem.message, { reason: problem.kind === 'time-off' ? 'TIME_OFF' : 'OUTSIDE_HOURS', details: { rule: problem.kind } });
  if (options.clashes === 'constraint') return interval;
  const [clash] = await findActiveOverlapping(db, { doctorId: request.doctor.id, patientId: request.patientId }, interval.startsAt, interval.endsAt);
  if (clash) throw clashError(actor, clash, request);
  return interval;
}

/**
 * The message for a slot that is taken. An appointment the actor may see is named (id, time,
 * the other party); of one they may not see, nothing is said: not its id, not its time, not
 * with whom, only that the doctor or the patient is not free. Without an actor (the clinic's own
 * booking) nothing is named either.
 */
export function clashError(
  actor: Actor | null,
  clash: AppointmentWithNamesRow,
  request: Pick<SlotRequest, 'doctor' | 'patientUsername' | 'zone'>,
): ConflictError {
  const remedy = `Run \`clinic appointments slots\` to see free times${actor && offersNextAvailable(actor) ? ', or use --next-available' : ''}.`;
  const doctorBusy = clash.doctor_id === request.doctor.id;
  const reason = doctorBusy ? 'SLOT_TAKEN' : 'PATIENT_BUSY';
  if (!actor || !canSeeAppointment(actor, { doctorId: clash.doctor_id, patientId: clash.patient_id })) {
    const message = doctorBusy ? 'That time is no longer available.' : `Patient ${request.patientUsername} already has another appointment at that time.`;
    return new ConflictError(message, { remedy, reason });
  }
  const view = appointmentView(clash, request.zone);
  const appointment = `appointment ${shortId(clash.id)} at ${view.date} ${view.timeSlot}`;
  const details = { appointmentId: clash.id };
  if (actor.id === clash.patient_id) return new ConflictError(`You already have ${appointment} with ${clash.doctor_username}.`, { remedy, reason, details });
  if (doctorBusy)
    return new ConflictError(`${request.doctor.username} already has ${appointment} with patient ${clash.patient_username}.`, { remedy, reason, details });
  return new ConflictError(`Patient ${request.patientUsername} already has ${appointment} with ${clash.doctor_username}.`, { remedy, reason, details });
}

export interface FreeSlot {
  start: DateTime;
  end: DateTime;
}

/** A first-slot search reads one week first, and the rest of the horizon only when that week is full. */
const FIRST_SLOT_WINDOW_DAYS = 7;

/**
 * The free slots of a doctor over `days` local dates from `fromDate`: on the grid, inside the
 * hours, outside time-off, after `notBefore`, and clear of the doctor's (and, if given, the
 * patient's) active appointments. With `first`, only the first one.
 */
export async function freeSlots(
  db: Knex,
  input: { doctor: DoctorRow; patientId?: string; fromDate: string; days: number; zone: string; durationMinutes: number; notBefore: Date; first?: boolean },
): Promise<FreeSlot[]> {
  const firstDay = DateTime.fromISO(input.fromDate, { zone: input.zone }).startOf('day');
  const hours = await workingHoursFor(db, input.doctor.id);
  const windows: Array<[number, number]> =
    input.first && input.days > FIRST_SLOT_WINDOW_DAYS
      ? [
          [0, FIRST_SLOT_WINDOW_DAYS],
          [FIRST_SLOT_WINDOW_DAYS, input.days],
        ]
      : [[0, input.days]];
  const slots: FreeSlot[] = [];
  for (const [fromOffset, toOffset] of windows) {
    const rangeStart = firstDay.plus({ days: fromOffset }).toJSDate();
    const rangeEnd = firstDay.plus({ days: toOffset }).plus({ minutes: input.durationMinutes }).toJSDate();
    const timeoff = await timeoffBetween(db, input.doctor.id, rangeStart, rangeEnd);
    const busy: Interval[] = (await findActiveTimesOverlapping(db, { doctorId: input.doctor.id, patientId: input.patientId }, rangeStart, rangeEnd)).map(
      (row) => ({ startsAt: row.starts_at, endsAt: row.ends_at }),
    );
    for (let offset = fromOffset; offset < toOffset; offset++) {
      const date = firstDay.plus({ days: offset }).toISODate()!;
      for (const start of gridStarts(date, input.zone, hours, input.doctor.slot_minutes, input.durationMinutes)) {
        const end = start.plus({ minutes: input.durationMinutes });
        const interval = { startsAt: start.toJSDate(), endsAt: end.toJSDate() };
        if (interval.startsAt < input.notBefore) continue;
        if (timeoff.some((period) => overlaps(period, interval)) || busy.some((taken) => overlaps(taken, interval))) continue;
        slots.push({ start, end });
        if (input.first) return slots;
      }
    }
  }
  return slots;
}
