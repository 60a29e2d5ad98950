import type { AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import { clinicDate, clinicTime } from '../clinic-time.js';
import { timeSlotLabel } from './rules.js';
import { viewFields } from '../view-fields.js';

/** An appointment as commands show it (DESIGN §5): dates and slots in the clinic's time zone. */
export interface AppointmentView {
  id: string;
  patientId: string;
  doctorId: string;
  patient: string;
  doctor: string;
  date: string;
  timeSlot: string;
  /** HH:MM in the clinic zone, so scripts need no arithmetic on timeSlot or startsAt */
  startTime: string;
  endTime: string;
  /** the clinic's IANA zone that date, timeSlot, startTime and endTime are in */
  timeZone: string;
  startsAt: string;
  endsAt: string;
  reason: string | null;
  status: AppointmentStatus;
  cancelReason: string | null;
  rescheduledFromId: string | null;
  /** the recurring series the appointment belongs to, null for a single booking */
  seriesId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** DESIGN §5's appointment fields and the ones this view adds, in the order JSON prints them. */
export const APPOINTMENT_VIEW_FIELDS = viewFields<AppointmentView>()([
  'id',
  'patientId',
  'doctorId',
  'patient',
  'doctor',
  'date',
  'timeSlot',
  'startTime',
  'endTime',
  'timeZone',
  'startsAt',
  'endsAt',
  'reason',
  'status',
  'cancelReason',
  'rescheduledFromId',
  'seriesId',
  'createdAt',
  'updatedAt',
]);

export function appointmentView(row: AppointmentWithNamesRow, zone: string): AppointmentView {
  return {
    id: row.id,
    patientId: row.patient_id,
    doctorId: row.doctor_id,
    patient: row.patient_username,
    doctor: row.doctor_username,
    date: clinicDate(row.starts_at, zone),
    timeSlot: timeSlotLabel({ startsAt: row.starts_at, endsAt: row.ends_at }, zone),
    startTime: clinicTime(row.starts_at, zone),
    endTime: clinicTime(row.ends_at, zone),
    timeZone: zone,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    reason: row.reason,
    status: row.status,
    cancelReason: row.cancel_reason,
    rescheduledFromId: row.rescheduled_from_id,
    seriesId: row.series_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The short form people read: the first 8 characters of the id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
