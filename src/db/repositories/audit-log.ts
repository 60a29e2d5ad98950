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

export async function insertAuditEntry(db: Knex, row: NewAuditRow): Promise<void> {
  await db('audit_log').insert(row);
}
