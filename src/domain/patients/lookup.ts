import { findPatientWithPanelByRef, type PatientRow } from '../../db/repositories/patients.js';
import type { DomainContext } from '../context.js';
import { canSeePatient, type Actor } from '../policy.js';
import { noSuch } from '../references.js';
import { notFoundFor } from '../visibility.js';

/**
 * The patient named by `ref` (username or id) and their panel, if the actor may see them. A
 * patient outside the actor's reach is reported exactly like an unknown one (exit 6, same
 * message, same audit row), so that nobody can probe who is a patient here.
 */
export async function findVisiblePatient(ctx: DomainContext, actor: Actor, ref: string, action: string): Promise<{ patient: PatientRow; panel: string[] }> {
  const found = await findPatientWithPanelByRef(ctx.db, ref.trim());
  const patient = found?.patient;
  const panel = found?.panel ?? [];
  if (patient && canSeePatient(actor, { patientId: patient.id, panelDoctorIds: panel })) return { patient, panel };
  throw await notFoundFor(ctx, actor, {
    kind: 'patient',
    action,
    ref,
    existing: patient && { id: patient.id, patientId: patient.id },
    error: noSuch('patient', ref),
  });
}
