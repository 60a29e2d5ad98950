import type { PanelDoctorRow, PatientRow } from '../../db/repositories/patients.js';
import { USER_VIEW_FIELDS, userView, type UserView } from '../users/view.js';
import { viewFields } from '../view-fields.js';

/** A patient as commands show it (DESIGN §5). */
export interface PatientView extends UserView {
  dateOfBirth: string | null;
  phone: string | null;
}

/** One doctor of a patient's panel. */
export interface PanelDoctorView {
  id: string;
  username: string;
  fullName: string;
}

/** `patients show`: the patient and the doctors whose panel holds them. */
export interface PatientDetails extends PatientView {
  doctors: PanelDoctorView[];
}

export const PATIENT_DETAILS_FIELDS = viewFields<PatientDetails>()([...USER_VIEW_FIELDS, 'dateOfBirth', 'phone', 'doctors']);

export function patientView(row: PatientRow): PatientView {
  return { ...userView(row), dateOfBirth: row.date_of_birth, phone: row.phone };
}

export function panelDoctorView(row: PanelDoctorRow): PanelDoctorView {
  return { id: row.id, username: row.username, fullName: row.full_name };
}
