import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { findUserByRef } from '../../db/repositories/users.js';
import { authorize } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { clinicToday } from '../doctors/clinic-time.js';
import { createDoctor } from '../doctors/service.js';
import { parseNewDoctor } from '../doctors/validation.js';
import { isDomainError } from '../errors.js';
import { createPatient } from '../patients/service.js';
import { parseNewPatient } from '../patients/validation.js';
import { requireActor, type Action, type Actor, type Role } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { withRollbackUnless } from './rollback.js';
import { untilInterrupted } from '../interruption.js';
import { readRecords, type BulkFormat, type RecordShape, type SourceRecord } from './records.js';
import { invalidFileError, type ImportSummary, type RejectedRow } from './results.js';

/** The import fields are named after the `add` command's flags (DESIGN §7). */
export const DOCTOR_FIELDS = ['username', 'name', 'specialty', 'license', 'slotMinutes', 'email'] as const;
export const PATIENT_FIELDS = ['username', 'name', 'dob', 'phone', 'email', 'doctors'] as const;
export type DoctorField = (typeof DOCTOR_FIELDS)[number];
export type PatientField = (typeof PATIENT_FIELDS)[number];

export interface PeopleImportInput<Field extends string> {
  source: Readable;
  format?: BulkFormat | undefined;
  skipInvalid?: boolean;
  dryRun?: boolean;
  onRejected?: (row: RejectedRow<Field>) => void | Promise<void>;
  onProgress?: (rowsRead: number) => void;
}

interface PeopleKind<Field extends string> {
  role: Role;
  noun: string;
  action: Action;
  shape: RecordShape & { fields: readonly Field[] };
  /** validates the row (the `add` command's own rules) and writes it inside `trx` */
  create(trx: Knex, actor: Actor, fields: Record<string, string | undefined>, today: string): Promise<unknown>;
}

const DOCTORS: PeopleKind<DoctorField> = {
  role: 'doctor',
  noun: 'doctors',
  action: 'doctors.manage',
  shape: { fields: DOCTOR_FIELDS, required: ['username', 'name'], numeric: ['slotMinutes'] },
  create: (trx, actor, f) =>
    createDoctor(trx, actor, parseNewDoctor({ username: f.username ?? '', fullName: f.name ?? '', specialty: f.specialty, licenseNumber: f.license, slotMinutes: f.slotMinutes, email: f.email })),
};

const PATIENTS: PeopleKind<PatientField> = {
  role: 'patient',
  noun: 'patients',
  action: 'patients.manage',
  shape: { fields: PATIENT_FIELDS, required: ['username', 'name'] },
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

/** `clinic doctors import`: each row as `doctors add` would take it; an existing username is skipped. */
export function importDoctors(ctx: DomainContext, input: PeopleImportInput<DoctorField>): Promise<ImportSummary> {
  return importPeople(ctx, input, DOCTORS);
}

/** `clinic patients import`: each row as `patients add` would take it (doctors: space-separated usernames). */
export function importPatients(ctx: DomainContext, input: PeopleImportInput<PatientField>): Promise<ImportSummary> {
  return importPeople(ctx, input, PATIENTS);
}

/**
 * Row by row in one transaction (people files are small next to appointment files), each row in
 * its own savepoint so that a refused row leaves the others intact. All or nothing unless
 * `skipInvalid`; a dry run rolls back.
 */
async function importPeople<Field extends string>(ctx: DomainContext, input: PeopleImportInput<Field>, kind: PeopleKind<Field>): Promise<ImportSummary> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, kind.action, {}, { entity: kind.role });
  const today = clinicToday(ctx.now(), await clinicTimeZone(ctx));
  const counts = { imported: 0, skipped: 0, rejected: 0 };
  const problems: Array<{ line: number; error: string }> = [];

  const outcome = await withRollbackUnless(ctx, async (trx) => {
    const reject = async (record: SourceRecord, error: string) => {
      counts.rejected++;
      if (!input.skipInvalid) problems.push({ line: record.line, error });
      else await input.onRejected?.({ line: record.line, error, fields: originalFields(kind.shape.fields, record) });
    };
    let rowsRead = 0;
    const records = untilInterrupted(readRecords(input.source, kind.shape, input.format), ctx.signal, () => input.source.destroy());
    for await (const record of records) {
      if (++rowsRead % 100 === 0) input.onProgress?.(rowsRead);
      if (record.problem) {
        await reject(record, record.problem);
        continue;
      }
      const username = record.fields.username?.trim().toLowerCase() ?? '';
      const existing = username === '' ? undefined : await findUserByRef(trx, username);
      if (existing) {
        if (existing.role === kind.role) counts.skipped++;
        else await reject(record, `the username "${username}" belongs to a ${existing.role}`);
        continue;
      }
      try {
        await trx.transaction((savepoint) => kind.create(savepoint, actor, record.fields, today));
        counts.imported++;
      } catch (error) {
        if (!isDomainError(error)) throw error;
        await reject(record, error.message.replace(/\.$/, ''));
      }
    }
    input.onProgress?.(rowsRead);
    if (counts.rejected > 0 && !input.skipInvalid) return { commit: false, error: invalidFileError(problems, kind.noun) } as const;
    return { commit: !input.dryRun } as const;
  });
  if ('error' in outcome) throw outcome.error;
  return { ...counts, dryRun: input.dryRun === true };
}

function originalFields<Field extends string>(fields: readonly Field[], record: SourceRecord): Record<Field, string | null> {
  const original = {} as Record<Field, string | null>;
  for (const field of fields) original[field] = record.fields[field] ?? null;
  return original;
}
