import type { DomainContext } from '../context.js';
import type { ImportSummary } from '../import-file.js';
import { importPeople, listOnlyFields, type PeopleImportInput, type PeopleKind } from '../users/import.js';
import { createPatient } from './service.js';
import { parseNewPatient } from './validation.js';

/** The import fields are named after the `add` command's flags (DESIGN §7). */
export const PATIENT_FIELDS = ['username', 'name', 'dob', 'phone', 'email', 'doctors'] as const;
export type PatientField = (typeof PATIENT_FIELDS)[number];

const PATIENTS: PeopleKind<PatientField> = {
  role: 'patient',
  noun: 'patients',
  action: 'patients.manage',
  shape: { fields: PATIENT_FIELDS, required: ['username', 'name'], readOnly: listOnlyFields('patient'), aliases: { fullName: 'name', dateOfBirth: 'dob' } },
  create: (trx, actor, f, today) =>
    createPatient(
      trx,
      actor,
      parseNewPatient(
        { username: f.username ?? '', fullName: f.name ?? '', dateOfBirth: f.dob, phone: f.phone, email: f.email, doctors: (f.doctors ?? '').split(/[\s,]+/) },
        { today },
      ),
    ),
};

/** `clinic patients import`: each row as `patients add` would take it (doctors: space-separated usernames). */
export function importPatients(ctx: DomainContext, input: PeopleImportInput<PatientField>): Promise<ImportSummary> {
  return importPeople(ctx, input, PATIENTS);
}
