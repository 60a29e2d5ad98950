import type { Knex } from 'knex';

export interface AuditRow {
  id: number;
  at: Date;
  actor_id: string | null;
  actor: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  patient_id: string | null;
  outcome: 'success' | 'denied' | 'failure';
  details: Record<string, unknown> | null;
}

export type NewAuditRow = Omit<AuditRow, 'id' | 'at' | 'details'> & { details: string | null };

export interface AuditFilter {
  /** matches the actor's id, or the username recorded (also for failed logins) */
  actorId?: string;
  actor?: string;
  patientId?: string;
  action?: string;
  /** a prefix such as `users.` (from `--action 'users.*'`) */
  actionPrefix?: string;
  since?: Date;
  limit: number;
}

const AUDIT_COLUMNS = ['id', 'at', 'actor_id', 'actor', 'action', 'entity', 'entity_id', 'patient_id', 'outcome', 'details'] as const;

export async function insertAuditEntry(db: Knex, row: NewAuditRow): Promise<void> {
  await db('audit_log').insert(row);
}

/** Newest first. */
export async function listAuditEntries(db: Knex, filter: AuditFilter): Promise<AuditRow[]> {
  const query = db('audit_log').select(...AUDIT_COLUMNS).orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit);
  if (filter.actorId !== undefined || filter.actor !== undefined) {
    query.where((where) => {
      if (filter.actorId !== undefined) where.orWhere('actor_id', filter.actorId);
      if (filter.actor !== undefined) where.orWhereRaw('lower(actor) = lower(?)', [filter.actor]);
    });
  }
  if (filter.patientId !== undefined) query.where('patient_id', filter.patientId);
  if (filter.action !== undefined) query.where('action', filter.action);
  if (filter.actionPrefix !== undefined) query.whereRaw('starts_with(action, ?)', [filter.actionPrefix]);
  if (filter.since !== undefined) query.where('at', '>=', filter.since);
  return query;
}
