import { findAppointmentsByIdPrefix, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import type { DomainContext } from '../context.js';
import { appointmentScope, type Actor } from '../policy.js';
import { resolveById } from '../references.js';

/**
 * The appointment named by its id or a unique prefix of at least 8 characters, among those the
 * actor may see; any other is "not found" (references.ts).
 */
export async function resolveAppointment(ctx: DomainContext, actor: Actor, ref: string): Promise<AppointmentWithNamesRow> {
  return resolveById(ctx, actor, ref, {
    kind: 'appointment',
    action: 'appointments.read',
    find: (prefix, reach, limit) => findAppointmentsByIdPrefix(ctx.db, prefix, reach === 'visible' ? appointmentScope(actor) : {}, limit),
    audited: (row) => ({ id: row.id, patientId: row.patient_id }),
  });
}
