import { findAppointmentById, findAppointmentIdsByPrefix, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { isUuid } from '../../db/repositories/users.js';
import { recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { can, type Actor } from '../policy.js';

const PREFIX = /^[0-9a-f-]{8,36}$/;

/** Whether the actor may see this appointment at all (DESIGN §6: all, own or own). */
export function canSeeAppointment(actor: Actor, row: { doctor_id: string; patient_id: string }): boolean {
  return can(actor, 'appointments.read', { doctorId: row.doctor_id, patientId: row.patient_id });
}

/**
 * The appointment named by its id or a unique prefix of at least 8 characters. Appointments the
 * actor may not see do not exist for them (exit 6, nothing revealed); the attempt is audited.
 */
export async function resolveAppointment(ctx: DomainContext, actor: Actor, ref: string): Promise<AppointmentWithNamesRow> {
  const wanted = ref.trim().toLowerCase();
  const notFound = () => new NotFoundError(`No appointment "${ref}".`, { remedy: 'Run `clinic appointments list` to see appointment ids.' });
  if (!PREFIX.test(wanted)) {
    throw new ValidationError(`"${ref}" is not an appointment id: give the id or at least its first 8 characters.`);
  }
  let id = wanted;
  if (!isUuid(wanted)) {
    const scope = actor.role === 'doctor' ? { doctorId: actor.id } : actor.role === 'patient' ? { patientId: actor.id } : {};
    const candidates = await findAppointmentIdsByPrefix(ctx.db, wanted, scope);
    if (candidates.length === 0) throw notFound();
    if (candidates.length > 1) {
      throw new ValidationError(`"${ref}" matches more than one appointment: ${candidates.map((c) => c.id).join(', ')}.`, {
        remedy: 'Give more characters of the id.',
      });
    }
    id = candidates[0]!.id;
  }
  const row = await findAppointmentById(ctx.db, id);
  if (!row) throw notFound();
  if (!canSeeAppointment(actor, row)) {
    await recordAudit(ctx.db, actor, { action: 'appointments.read', outcome: 'denied', entity: 'appointment', entityId: row.id, patientId: row.patient_id });
    throw notFound();
  }
  return row;
}

