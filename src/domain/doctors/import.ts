import type { DomainContext } from '../context.js';
import type { ImportSummary } from '../import-file.js';
import { importPeople, listOnlyFields, type PeopleImportInput, type PeopleKind } from '../users/import.js';
import { createDoctor } from './service.js';
import { parseNewDoctor } from './validation.js';

/** The import fields are named after the `add` command's flags (DESIGN §7). */
export const DOCTOR_FIELDS = ['username', 'name', 'specialty', 'license', 'slotMinutes', 'email'] as const;
export type DoctorField = (typeof DOCTOR_FIELDS)[number];

const DOCTORS: PeopleKind<DoctorField> = {
  role: 'doctor',
  noun: 'doctors',
  action: 'doctors.manage',
  shape: {
    fields: DOCTOR_FIELDS,
    required: ['username', 'name'],
    readOnly: listOnlyFields('doctor'),
    aliases: { fullName: 'name', licenseNumber: 'license' },
    numeric: ['slotMinutes'],
  },
  create: (trx, actor, f) =>
    createDoctor(
      trx,
      actor,
      parseNewDoctor({
        username: f.username ?? '',
        fullName: f.name ?? '',
        specialty: f.specialty,
        licenseNumber: f.license,
        slotMinutes: f.slotMinutes,
        email: f.email,
      }),
    ),
};

/** `clinic doctors import`: each row as `doctors add` would take it; an existing username is skipped. */
export function importDoctors(ctx: DomainContext, input: PeopleImportInput<DoctorField>): Promise<ImportSummary> {
  return importPeople(ctx, input, DOCTORS);
}
