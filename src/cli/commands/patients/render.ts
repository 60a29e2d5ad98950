import type { PatientDetails, PatientView } from '../../../domain/patients/view.js';
import type { Column, Output } from '../../output.js';

export const PATIENT_COLUMNS: ReadonlyArray<Column<PatientView>> = [
  { header: 'username', value: (p) => p.username },
  { header: 'name', value: (p) => p.fullName },
  { header: 'born', value: (p) => p.dateOfBirth },
  { header: 'phone', value: (p) => p.phone },
  { header: 'email', value: (p) => p.email },
  { header: 'status', value: (p) => p.status },
];

export function renderPatient(output: Output, patient: PatientDetails): void {
  output.record(patient, [
    ['id', patient.id],
    ['username', patient.username],
    ['name', patient.fullName],
    ['born', patient.dateOfBirth],
    ['phone', patient.phone],
    ['email', patient.email],
    ['status', patient.status],
    ['doctors', patient.doctors.map((doctor) => doctor.username)],
  ]);
}
