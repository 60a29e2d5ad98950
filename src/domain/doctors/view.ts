import type { DoctorRow, DoctorTimeoffRow } from '../../db/repositories/doctors.js';
import { USER_VIEW_FIELDS, userView, type UserView } from '../users/view.js';
import { viewFields } from '../view-fields.js';
import type { DayHours } from './hours.js';

/** A doctor as commands show it (DESIGN §5). */
export interface DoctorView extends UserView {
  specialty: string | null;
  licenseNumber: string | null;
  slotMinutes: number;
}

/** `doctors show`: the doctor and the seven days of the working week. */
export interface DoctorDetails extends DoctorView {
  hours: DayHours[];
}

export const DOCTOR_DETAILS_FIELDS = viewFields<DoctorDetails>()([...USER_VIEW_FIELDS, 'specialty', 'licenseNumber', 'slotMinutes', 'hours']);

export interface TimeoffView {
  id: string;
  doctorId: string;
  doctor: string;
  startsAt: Date;
  endsAt: Date;
  reason: string | null;
  createdAt: Date;
}

export function doctorView(row: DoctorRow): DoctorView {
  return { ...userView(row), specialty: row.specialty, licenseNumber: row.license_number, slotMinutes: row.slot_minutes };
}

export function timeoffView(row: DoctorTimeoffRow, doctorUsername: string): TimeoffView {
  return {
    id: row.id,
    doctorId: row.doctor_id,
    doctor: doctorUsername,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    reason: row.reason,
    createdAt: row.created_at,
  };
}
