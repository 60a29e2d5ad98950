import { findAppointmentById, findAppointmentIdsByPrefix, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { isUuid } from '../../db/repositories/users.js';
import type { DomainContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { canSeeAppointment, mayBeHidden, type Actor } from '../policy.js';
import { notFoundFor } from '../visibility.js';

const PREFIX = /^[0-9a-f-]{8,36}$/;

/**
 * The appointment named by its id or a unique prefix of at least 8 characters. Appointments the
 * actor may not see do not exist for them: by full id or by prefix, the same exit 6, message and
 * audit row as for an id that matches nothing.
 */
export async function resolveAppointment(ctx: DomainContext, actor: Actor, ref: string): Promise<AppointmentWithNamesRow> {
  const wanted = ref.trim().toLowerCase();
  if (!PREFIX.test(wanted)) {
    throw new ValidationError(`"${ref}" is not an appointment id: give the id or at least its first 8 characters.`);
  }
  const scope = actor.role === 'doctor' ? { doctorId: actor.id } : actor.role === 'patient' ? { patientId: actor.id } : {};
  const candidates = isUuid(wanted) ? [{ id: wanted }] : await findAppointmentIdsByPrefix(ctx.db, wanted, scope);
  if (candidates.length > 1) {
    throw new ValidationError(`"${ref}" matches more than one appointment: ${candidates.map((c) => c.id).join(', ')}.`, {
      remedy: 'Give more characters of the id.',
    });
  }
  const row = candidates[0] && (await findAppointmentById(ctx.db, candidates[0].id));
  if (row && canSeeAppointment(actor, { doctorId: row.doctor_id, patientId: row.patient_id })) return row;
  const hidden = row ?? (mayBeHidden(actor, 'appointment') ? await uniqueHiddenMatch(ctx, wanted) : undefined);
  throw await notFoundFor(ctx, actor, {
    kind: 'appointment',
    action: 'appointments.read',
    ref,
    existing: hidden && { id: hidden.id, patientId: hidden.patient_id },
    error: new NotFoundError(`No appointment "${ref}".`, { remedy: 'Run `clinic appointments list` to see appointment ids.' }),
  });
}

/** For the audit row only: the one appointment outside the actor's reach that a prefix names. */
async function uniqueHiddenMatch(ctx: DomainContext, prefix: string): Promise<AppointmentWithNamesRow | undefined> {
  if (isUuid(prefix)) return undefined;
  const matches = await findAppointmentIdsByPrefix(ctx.db, prefix, {}, 2);
  return matches.length === 1 ? findAppointmentById(ctx.db, matches[0]!.id) : undefined;
}
