import { DateTime } from 'luxon';
import type { DomainContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { requireActor } from '../policy.js';
import { authorize } from './record.js';
import { checkLimit, fetchPage, type ListLimit, type Page } from '../paging.js';
import { clinicTimeZone } from '../settings/service.js';
import { dateParts } from '../clinic-time.js';
import { findUserByRef } from '../../db/repositories/users.js';
import { UNKNOWN_USERNAME_PREFIX, unknownUsernameDigest } from '../identity/secrets.js';
import { countAuditEntries, listAuditEntries, type AuditFilter, type AuditRow } from '../../db/repositories/audit-log.js';

/** An audit entry as commands show it (DESIGN §5). */
export interface AuditEntryView {
  id: number;
  at: Date;
  actorId: string | null;
  actor: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  patientId: string | null;
  outcome: AuditRow['outcome'];
  details: Record<string, unknown> | null;
}

export function auditEntryView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    patientId: row.patient_id,
    outcome: row.outcome,
    details: row.details,
  };
}

const MAX_AUDIT_LIMIT = 10_000;

export interface AuditQuery {
  actor?: string | undefined;
  patient?: string | undefined;
  /** exact, or a prefix ending in `*` (`users.*`) */
  action?: string | undefined;
  /** YYYY-MM-DD (midnight, clinic time zone) or an ISO 8601 date-time */
  since?: string | undefined;
  limit?: ListLimit | undefined;
}

/** Newest first; admin only. `actor` matches a user (username or id), or failed logins at a name nobody has. */
export async function listAudit(ctx: DomainContext, query: AuditQuery = {}): Promise<Page<AuditEntryView>> {
  const limit = checkLimit(query.limit, MAX_AUDIT_LIMIT);
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'audit.read', {}, { entity: 'audit_log' });
  const filter: AuditFilter = {};
  if (query.actor !== undefined) {
    const user = await findUserByRef(ctx.db, query.actor.trim());
    const named = query.actor.trim();
    // A name nobody has is matched through its digest, as failed logins record it (or the digest itself).
    filter.actor = user?.username ?? (named.startsWith(UNKNOWN_USERNAME_PREFIX) ? named : unknownUsernameDigest(named));
    if (user) filter.actorId = user.id;
  }
  if (query.patient !== undefined) {
    const patient = await findUserByRef(ctx.db, query.patient.trim());
    if (!patient) return { items: [], total: 0 };
    filter.patientId = patient.id;
  }
  if (query.action !== undefined) {
    const action = query.action.trim();
    if (action.endsWith('*')) filter.actionPrefix = action.slice(0, -1);
    else filter.action = action;
  }
  if (query.since !== undefined) filter.since = await parseSince(ctx, query.since);
  const page = await fetchPage(
    limit,
    (n) => listAuditEntries(ctx.db, { ...filter, ...(n === undefined ? {} : { limit: n }) }),
    () => countAuditEntries(ctx.db, filter),
  );
  return { items: page.items.map(auditEntryView), total: page.total };
}

async function parseSince(ctx: DomainContext, value: string): Promise<Date> {
  const text = value.trim();
  const zone = await clinicTimeZone(ctx);
  const parsed = dateParts(text) !== undefined ? DateTime.fromISO(text, { zone }) : DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) {
    throw new ValidationError(`Invalid --since "${value}".`, { remedy: 'Use a date (YYYY-MM-DD, clinic time zone) or an ISO 8601 date-time.' });
  }
  return parsed.toJSDate();
}
