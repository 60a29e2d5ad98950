import type { DateTime } from 'luxon';
import { listAppointments as listAppointmentRows, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { findTimeoff, listDoctors, type DoctorRow } from '../../db/repositories/doctors.js';
import { peopleByIds } from '../../db/repositories/users.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import { authorize } from '../audit/record.js';
import { clinicDate, clinicTime, minutesOfDay, parseClinicDate, startOfClinicDay, toClinicInstant, formatTimeOfDay } from '../clinic-time.js';
import type { DomainContext } from '../context.js';
import { requireDoctor } from '../doctors/service.js';
import { ValidationError } from '../errors.js';
import { appointmentScope, requireActor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { gridStarts, overlaps, type WorkingRange } from './rules.js';
import { workingHoursFor } from './schedule.js';

export const MAX_AGENDA_DAYS = 7;

/** What a row of a doctor's day holds. */
/** booked: an appointment starts here; occupied: one that starts at another row runs through it. */
export type AgendaRowKind = 'free' | 'booked' | 'occupied' | 'break' | 'time-off';

export interface AgendaRow {
  /** HH:MM, clinic zone */
  time: string;
  endTime: string;
  startsAt: string;
  endsAt: string;
  kind: AgendaRowKind;
  /** booked and occupied rows: the appointment there */
  appointment?: { id: string; patientId: string; patient: string; patientName: string; status: AppointmentStatus; reason: string | null };
}

export interface AgendaColumn {
  doctorId: string;
  doctor: string;
  name: string;
  slotMinutes: number;
  /** the day's working ranges, "09:00-12:00" */
  hours: string[];
  timeOff: Array<{ startsAt: string; endsAt: string; reason: string | null }>;
  rows: AgendaRow[];
}

export interface AgendaDay {
  date: string;
  weekday: string;
  doctors: AgendaColumn[];
}

export interface Agenda {
  timeZone: string;
  days: AgendaDay[];
}

/** The statuses that hold a slot on the sheet; cancelled and rejected appointments leave it free. */
const SHOWN: readonly AppointmentStatus[] = ['PENDING', 'APPROVED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW'];

/**
 * `clinic appointments agenda`: the day sheet. For each day and doctor, one row per slot of the
 * doctor's grid (free, booked, time off), a row for each break between working ranges, and a row
 * for any appointment that is off the grid. Staff see every active doctor (or those named); a
 * doctor sees only their own column; patients may not (exit 5).
 */
export async function agenda(
  ctx: DomainContext,
  input: { date?: string | undefined; doctors?: readonly string[] | undefined; days?: number | undefined },
): Promise<Agenda> {
  const actor = requireActor(ctx.actor);
  const zone = await clinicTimeZone(ctx);
  const date = input.date ?? clinicDate(ctx.now(), zone);
  parseClinicDate(date, '--date');
  const days = input.days ?? 1;
  if (!Number.isInteger(days) || days < 1 || days > MAX_AGENDA_DAYS) throw new ValidationError(`--days must be a whole number from 1 to ${MAX_AGENDA_DAYS}.`);
  let doctors: DoctorRow[];
  if (input.doctors && input.doctors.length > 0) {
    doctors = [];
    for (const ref of input.doctors) {
      const doctor = await requireDoctor(ctx.db, ref);
      if (!doctors.some((known) => known.id === doctor.id)) doctors.push(doctor);
    }
    for (const doctor of doctors) await authorize(ctx, actor, 'appointments.agenda', { doctorId: doctor.id }, { entity: 'doctor', entityId: doctor.id });
  } else {
    await authorize(ctx, actor, 'appointments.agenda', {}, { entity: 'appointments' });
    // Whose columns by default: the policy's scope (a doctor's own; staff every active doctor).
    const { doctorId } = appointmentScope(actor);
    doctors = doctorId !== undefined ? [await requireDoctor(ctx.db, doctorId)] : (await listDoctors(ctx.db)).filter((doctor) => doctor.status === 'active');
  }

  const first = startOfClinicDay(date, zone);
  const dates = Array.from({ length: days }, (_, i) => first.plus({ days: i }).toISODate()!);
  const from = first.toJSDate();
  const to = startOfClinicDay(first.plus({ days }).toISODate()!, zone).toJSDate();
  const columns = await Promise.all(
    doctors.map(async (doctor) => ({
      doctor,
      hours: await workingHoursFor(ctx.db, doctor.id),
      timeoff: (await findTimeoff(ctx.db, doctor.id, { from, to })).map((row) => ({ startsAt: row.starts_at, endsAt: row.ends_at, reason: row.reason })),
      appointments: (await listAppointmentRows(ctx.db, { doctorId: doctor.id, from, to })).filter((row) => SHOWN.includes(row.status)),
    })),
  );
  const patientIds = [...new Set(columns.flatMap((column) => column.appointments.map((row) => row.patient_id)))];
  const names = new Map((await peopleByIds(ctx.db, patientIds)).map((person) => [person.id, person.full_name]));

  return {
    timeZone: zone,
    days: dates.map((day) => ({
      date: day,
      weekday: startOfClinicDay(day, zone).setLocale('en').toFormat('cccc'),
      doctors: columns.map((column) => doctorDay(day, zone, column, names)),
    })),
  };
}

function doctorDay(
  date: string,
  zone: string,
  column: {
    doctor: DoctorRow;
    hours: WorkingRange[];
    timeoff: Array<{ startsAt: Date; endsAt: Date; reason: string | null }>;
    appointments: AppointmentWithNamesRow[];
  },
  names: ReadonlyMap<string, string>,
): AgendaColumn {
  const { doctor } = column;
  const dayStart = startOfClinicDay(date, zone);
  const dayEnd = startOfClinicDay(dayStart.plus({ days: 1 }).toISODate()!, zone);
  const ranges = column.hours.filter((range) => range.weekday === dayStart.weekday).sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
  const day = { startsAt: dayStart.toJSDate(), endsAt: dayEnd.toJSDate() };
  const timeoff = column.timeoff.filter((period) => overlaps(period, day));
  const appointments = column.appointments.filter((row) => overlaps({ startsAt: row.starts_at, endsAt: row.ends_at }, day));
  const appointmentOf = (row: AppointmentWithNamesRow) => ({
    id: row.id,
    patientId: row.patient_id,
    patient: row.patient_username,
    patientName: names.get(row.patient_id) ?? row.patient_username,
    status: row.status,
    reason: row.reason,
  });
  const at = (start: DateTime | Date, end: DateTime | Date) => {
    const s = start instanceof Date ? start : start.toJSDate();
    const e = end instanceof Date ? end : end.toJSDate();
    return { time: clinicTime(s, zone), endTime: clinicTime(e, zone), startsAt: s.toISOString(), endsAt: e.toISOString() };
  };

  const rows: AgendaRow[] = [];
  const starts = new Set<number>();
  for (const start of gridStarts(date, zone, column.hours, doctor.slot_minutes, doctor.slot_minutes)) {
    const end = start.plus({ minutes: doctor.slot_minutes });
    const interval = { startsAt: start.toJSDate(), endsAt: end.toJSDate() };
    starts.add(interval.startsAt.getTime());
    const here = appointments.find((row) => overlaps({ startsAt: row.starts_at, endsAt: row.ends_at }, interval));
    const kind: AgendaRowKind = here
      ? here.starts_at.getTime() === interval.startsAt.getTime()
        ? 'booked'
        : 'occupied'
      : timeoff.some((period) => overlaps(period, interval))
        ? 'time-off'
        : 'free';
    rows.push({ ...at(start, end), kind, ...(here ? { appointment: appointmentOf(here) } : {}) });
  }
  for (let i = 0; i + 1 < ranges.length; i++) {
    const end = minutesOfDay(ranges[i]!.end);
    const next = minutesOfDay(ranges[i + 1]!.start);
    if (end >= next) continue;
    try {
      rows.push({ ...at(toClinicInstant(date, formatTimeOfDay(end), zone), toClinicInstant(date, formatTimeOfDay(next), zone)), kind: 'break' });
    } catch {
      // a break that starts in a daylight-saving gap is not drawn
    }
  }
  // Appointments whose start is off the grid (booked before the hours changed, imported) still show.
  for (const row of appointments) {
    if (starts.has(row.starts_at.getTime()) || row.starts_at < day.startsAt) continue;
    rows.push({ ...at(row.starts_at, row.ends_at), kind: 'booked', appointment: appointmentOf(row) });
  }
  rows.sort((a, b) => a.startsAt.localeCompare(b.startsAt) || (a.kind === 'booked' ? -1 : 1));

  return {
    doctorId: doctor.id,
    doctor: doctor.username,
    name: doctor.full_name,
    slotMinutes: doctor.slot_minutes,
    hours: ranges.map((range) => `${range.start.slice(0, 5)}-${range.end.slice(0, 5)}`),
    timeOff: timeoff.map((period) => ({ startsAt: period.startsAt.toISOString(), endsAt: period.endsAt.toISOString(), reason: period.reason })),
    rows,
  };
}
