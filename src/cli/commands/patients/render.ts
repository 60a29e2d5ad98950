import type { PatientDetails, PatientView } from '../../../domain/patients/view.js';
import type { Column, Output } from '../../output.js';

export const PATIENT_COLUMNS: ReadonlyArray<Column<PatientView>> = [
  { header: 'USERNAME', value: (p) => p.username },
  { header: 'NAME', value: (p) => p.fullName, fit: true },
  { header: 'BORN', value: (p) => p.dateOfBirth },
  { header: 'PHONE', value: (p) => p.phone },
  { header: 'EMAIL', value: (p) => p.email, fit: true },
  { header: 'STATUS', value: (p) => p.status },
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
