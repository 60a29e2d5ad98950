import type { Knex } from 'knex';
import type { DoctorRow } from '../../db/repositories/doctors.js';
import {
  addToPanel,
  findPanelDoctors,
  findPatientByRef,
  insertPatientProfile,
  countPatients,
  listPatients as listPatientRows,
  removeFromPanel,
  updatePatientProfile,
  type PatientFilter,
  type PatientRow,
} from '../../db/repositories/patients.js';
import { updateUser } from '../../db/repositories/users.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { requireDoctor } from '../doctors/service.js';
import { patientScope, requireActor, type Actor } from '../policy.js';
import { clinicToday } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { checkLimit, fetchPage, type ListLimit, type Page } from '../paging.js';
import { createAccount } from '../users/accounts.js';
import { findVisiblePatient } from './lookup.js';
import { noSuch } from '../references.js';
import { parseNewPatient, parsePatientChanges, patientSearchTerm, type NewPatient, type NewPatientInput, type PatientChangesInput } from './validation.js';
import { panelDoctorView, patientView, type PatientDetails, type PatientView } from './view.js';

export type AddPatientInput = NewPatientInput & { password?: string | undefined };

/** `patients add`: the account, the profile and the panel in one transaction. */
export async function addPatient(ctx: DomainContext, input: AddPatientInput): Promise<PatientDetails> {
  const patient = parseNewPatient(input, { today: await clinicToday(ctx) });
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'patients.manage', {}, { entity: 'patient' });
  return inTransaction(ctx, async (trx) => {
    const row = await createPatient(trx, actor, patient, { password: input.password });
    return detailsOf(trx, row);
  });
}

/**
 * Writes one patient inside the caller's transaction: the user (role patient), the profile, the
 * panel rows and the audit row. For `patients add` and bulk imports, which parse with
 * parseNewPatient and authorize once. Throws ConflictError for a taken username and
 * NotFoundError for an unknown doctor.
 */
export async function createPatient(trx: Knex, actor: Actor, patient: NewPatient, options: { password?: string | undefined } = {}): Promise<PatientRow> {
  const doctors: DoctorRow[] = [];
  for (const ref of patient.doctors) doctors.push(await requireDoctor(trx, ref));
  const user = await createAccount(trx, {
    username: patient.username,
    fullName: patient.fullName,
    email: patient.email,
    role: 'patient',
    password: options.password,
  });
  await insertPatientProfile(trx, { user_id: user.id, date_of_birth: patient.dateOfBirth, phone: patient.phone });
  for (const doctor of doctors) await addToPanel(trx, doctor.id, user.id);
  await recordAudit(trx, actor, {
    action: 'patients.add',
    entity: 'patient',
    entityId: user.id,
    patientId: user.id,
    details: { username: user.username, doctors: doctors.map((doctor) => doctor.username), hasPassword: options.password !== undefined },
  });
  return (await findPatientByRef(trx, user.id))!;
}

/**
 * `patients list` (DESIGN §6, patients.read): clinic staff see everyone; a doctor only their own
 * panel (a --doctor naming someone else finds nobody); a patient only themselves.
 */
export async function listPatients(
  ctx: DomainContext,
  filter: { doctor?: string | undefined; search?: string | undefined; limit?: ListLimit | undefined } = {},
): Promise<Page<PatientView>> {
  const actor = requireActor(ctx.actor);
  const limit = checkLimit(filter.limit);
  const query: PatientFilter = {};
  if (filter.doctor !== undefined) query.doctorId = (await requireDoctor(ctx.db, filter.doctor)).id;
  const search = filter.search?.trim();
  if (search) Object.assign(query, patientSearchTerm(search));
  const scope = patientScope(actor);
  if (scope.doctorId !== undefined && query.doctorId !== undefined && query.doctorId !== scope.doctorId) return { items: [], total: 0 };
  Object.assign(query, scope);
  const page = await fetchPage(
    limit,
    (n) => listPatientRows(ctx.db, { ...query, ...(n === undefined ? {} : { limit: n }) }),
    () => countPatients(ctx.db, query),
  );
  return { items: page.items.map(patientView), total: page.total };
}

/** `patients show`: a view of a patient's record, audited whether allowed or denied. */
export async function showPatient(ctx: DomainContext, ref: string): Promise<PatientDetails> {
  const actor = requireActor(ctx.actor);
  const { patient } = await findVisiblePatient(ctx, actor, ref, 'patients.read');
  await recordAudit(ctx.db, actor, { action: 'patients.read', entity: 'patient', entityId: patient.id, patientId: patient.id });
  return detailsOf(ctx.db, patient);
}

export async function updatePatient(ctx: DomainContext, ref: string, input: PatientChangesInput): Promise<PatientDetails> {
  const changes = parsePatientChanges(input, { today: await clinicToday(ctx) });
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'patients.manage', {}, { entity: 'patient' });
  const patient = await requirePatient(ctx.db, ref);
  return inTransaction(ctx, async (trx) => {
    // Always through users, so that updatedAt moves with any change to the record.
    await updateUser(trx, patient.id, {
      ...(changes.fullName !== undefined ? { full_name: changes.fullName } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
    });
    await updatePatientProfile(trx, patient.id, {
      ...(changes.dateOfBirth !== undefined ? { date_of_birth: changes.dateOfBirth } : {}),
      ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
    });
    await recordAudit(trx, actor, {
      action: 'patients.update',
      entity: 'patient',
      entityId: patient.id,
      patientId: patient.id,
      details: { fields: Object.keys(changes) },
    });
    return detailsOf(trx, (await findPatientByRef(trx, patient.id))!);
  });
}

export interface PanelChange {
  patient: PatientDetails;
  /** false when the patient was already (or was not) on the doctor's panel */
  changed: boolean;
}

/** `patients assign P D`; assigning twice changes nothing and succeeds. */
export async function assignPatient(ctx: DomainContext, patientRef: string, doctorRef: string): Promise<PanelChange> {
  return changePanel(ctx, patientRef, doctorRef, 'assign');
}

/** `patients unassign P D`; unassigning a patient who is not on the panel changes nothing and succeeds. */
export async function unassignPatient(ctx: DomainContext, patientRef: string, doctorRef: string): Promise<PanelChange> {
  return changePanel(ctx, patientRef, doctorRef, 'unassign');
}

async function changePanel(ctx: DomainContext, patientRef: string, doctorRef: string, change: 'assign' | 'unassign'): Promise<PanelChange> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'patients.manage', {}, { entity: 'patient' });
  const patient = await requirePatient(ctx.db, patientRef);
  const doctor = await requireDoctor(ctx.db, doctorRef);
  return inTransaction(ctx, async (trx) => {
    const changed = change === 'assign' ? await addToPanel(trx, doctor.id, patient.id) : await removeFromPanel(trx, doctor.id, patient.id);
    if (changed) {
      await recordAudit(trx, actor, {
        action: `patients.${change}`,
        entity: 'patient',
        entityId: patient.id,
        patientId: patient.id,
        details: { doctorId: doctor.id, doctor: doctor.username },
      });
    }
    return { patient: await detailsOf(trx, patient), changed };
  });
}

async function requirePatient(db: Knex, ref: string): Promise<PatientRow> {
  const patient = await findPatientByRef(db, ref.trim());
  if (!patient) throw noSuch('patient', ref);
  return patient;
}

async function detailsOf(db: Knex, row: PatientRow): Promise<PatientDetails> {
  return { ...patientView(row), doctors: (await findPanelDoctors(db, row.id)).map(panelDoctorView) };
}
