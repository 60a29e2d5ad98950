import { findAppointmentsByIds, findUnremindedApproved, markUnremindedApproved, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { peopleByIds } from '../../db/repositories/users.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { durationMs } from '../durations.js';
import { ValidationError } from '../errors.js';
import { requireActor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { appointmentView, type AppointmentView } from './view.js';

/** How far ahead `appointments due` may look. */
export const MAX_REMINDER_WINDOW_MS = 31 * 86_400_000;
export const DEFAULT_REMINDER_WINDOW = '24h';

/** A due appointment with what a reminder job needs to reach the patient. */
export interface DueAppointment extends AppointmentView {
  patientName: string;
  patientPhone: string | null;
  patientEmail: string | null;
  doctorName: string;
  /** when this run (or an earlier one) marked it reminded; null when only listed */
  remindedAt: string | null;
}

/**
 * `clinic appointments due`: APPROVED appointments starting from now to now + `within` that no
 * reminder job has taken. With `markReminded`, the rows are taken by ONE UPDATE … RETURNING, so
 * two runs that overlap (a cron job every 5 minutes) never both get the same appointment; each
 * marked one gets its own audit row, in the same transaction.
 */
export async function dueAppointments(
  ctx: DomainContext,
  input: { within?: string | undefined; markReminded?: boolean | undefined },
): Promise<DueAppointment[]> {
  const actor = requireActor(ctx.actor);
  const within = input.within ?? DEFAULT_REMINDER_WINDOW;
  const windowMs = durationMs(within);
  if (windowMs === undefined || windowMs <= 0 || windowMs > MAX_REMINDER_WINDOW_MS) {
    throw new ValidationError(`Invalid --within "${within}": use a duration from 1m to 31d, such as 30m, 24h or 2d.`);
  }
  await authorize(ctx, actor, 'appointments.remind', {}, { entity: 'appointments' });
  const zone = await clinicTimeZone(ctx);
  const now = ctx.now();
  const window = { from: now, to: new Date(now.getTime() + windowMs) };
  let rows: AppointmentWithNamesRow[];
  if (input.markReminded) {
    rows = await inTransaction(ctx, async (trx) => {
      const ids = await markUnremindedApproved(trx, window, now);
      const marked = await findAppointmentsByIds(trx, ids);
      for (const row of marked) {
        await recordAudit(trx, actor, {
          action: 'appointments.remind',
          entity: 'appointment',
          entityId: row.id,
          patientId: row.patient_id,
          details: { startsAt: row.starts_at.toISOString(), within },
        });
      }
      return marked;
    });
  } else {
    rows = await findUnremindedApproved(ctx.db, window);
  }
  const people = new Map((await peopleByIds(ctx.db, [...new Set(rows.flatMap((row) => [row.patient_id, row.doctor_id]))])).map((p) => [p.id, p]));
  return rows.map((row) => {
    const patient = people.get(row.patient_id);
    return {
      ...appointmentView(row, zone),
      patientName: patient?.full_name ?? row.patient_username,
      patientPhone: patient?.phone ?? null,
      patientEmail: patient?.email ?? null,
      doctorName: people.get(row.doctor_id)?.full_name ?? row.doctor_username,
      remindedAt: row.reminded_at?.toISOString() ?? null,
    };
  });
}
