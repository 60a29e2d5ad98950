import { findAppointmentsByIds, findStartedInStatuses, setStatuses } from '../../db/repositories/appointments.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import { authorize, recordAudit } from '../audit/record.js';
import { clinicDate, startOfClinicDay } from '../clinic-time.js';
import type { DomainContext } from '../context.js';
import { durationMs } from '../durations.js';
import { ValidationError } from '../errors.js';
import { requireActor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { TRANSITIONS, assertStatusTimely, assertTransition, statusPossibleFrom } from './transitions.js';
import { appointmentView, type AppointmentView } from './view.js';

export const DEFAULT_NOSHOW_GRACE = '15m';
const MAX_GRACE_MS = 7 * 86_400_000;

/** The statuses the state machine lets become NO_SHOW (APPROVED): the one rule `noshow` obeys too. */
const SWEPT_FROM = (Object.keys(TRANSITIONS) as AppointmentStatus[]).filter((from) => TRANSITIONS[from].includes('NO_SHOW'));

/**
 * `clinic appointments sweep-noshows`: every appointment that could become NO_SHOW (APPROVED, so
 * not checked in) and whose start plus `grace` has passed becomes NO_SHOW, with one audit row
 * each, exactly as `noshow` would record it. The candidates are locked in one transaction, so a
 * second sweep at the same time waits and then finds nothing left; a re-run changes nothing.
 * `dryRun` lists them and writes nothing.
 */
export async function sweepNoShows(ctx: DomainContext, input: { grace?: string | undefined; dryRun?: boolean | undefined }): Promise<AppointmentView[]> {
  const actor = requireActor(ctx.actor);
  const grace = input.grace ?? DEFAULT_NOSHOW_GRACE;
  const graceMs = durationMs(grace);
  if (graceMs === undefined || graceMs > MAX_GRACE_MS)
    throw new ValidationError(`Invalid --grace "${grace}": use a duration from 0m to 7d, such as 15m or 1h.`);
  await authorize(ctx, actor, 'appointments.sweep', {}, { entity: 'appointments' });
  const zone = await clinicTimeZone(ctx);
  const now = ctx.now();
  const startedBy = new Date(now.getTime() - graceMs);
  const overdue = (row: { starts_at: Date }) => {
    const from = statusPossibleFrom('NO_SHOW', row.starts_at, () => startOfClinicDay(clinicDate(row.starts_at, zone), zone).toJSDate());
    return from !== null && from.getTime() + graceMs <= now.getTime();
  };
  if (input.dryRun) {
    const rows = await findStartedInStatuses(ctx.db, { statuses: SWEPT_FROM, startedBy, lock: false });
    return rows.filter(overdue).map((row) => appointmentView(row, zone));
  }
  const swept = await inTransaction(ctx, async (trx) => {
    const rows = (await findStartedInStatuses(trx, { statuses: SWEPT_FROM, startedBy, lock: true })).filter(overdue);
    for (const row of rows) {
      assertTransition(row, 'NO_SHOW');
      assertStatusTimely(row, 'NO_SHOW', now, zone);
    }
    await setStatuses(
      trx,
      rows.map((row) => row.id),
      'NO_SHOW',
    );
    for (const row of rows) {
      await recordAudit(trx, actor, {
        action: 'appointments.noshow',
        entity: 'appointment',
        entityId: row.id,
        patientId: row.patient_id,
        details: { from: row.status, to: 'NO_SHOW', sweep: true, grace },
      });
    }
    return findAppointmentsByIds(
      trx,
      rows.map((row) => row.id),
    );
  });
  return swept.map((row) => appointmentView(row, zone));
}
