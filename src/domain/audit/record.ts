import type { Knex } from 'knex';
import { ForbiddenError } from '../errors.js';
import { assertCan, type Action, type Actor, type Resource } from '../policy.js';
import type { DomainContext } from '../context.js';
import { insertAuditEntry, type NewAuditRow } from '../../db/repositories/audit-log.js';

import type { AuditOutcome } from '../../db/schema-values.js';

export interface AuditEvent {
  action: string;
  outcome?: AuditOutcome;
  entity?: string;
  entityId?: string | null;
  patientId?: string | null;
  /** Never passwords, tokens or message bodies. */
  details?: Record<string, unknown>;
  /** For events before anyone is authenticated (failed logins). */
  actorUsername?: string;
}

/** Adds one audit row, on `db` (pass the transaction so the row commits with the write). */
export async function recordAudit(db: Knex, actor: Actor | null, event: AuditEvent): Promise<void> {
  const row: NewAuditRow = {
    actor_id: actor?.id ?? null,
    actor: actor?.username ?? event.actorUsername ?? null,
    action: event.action,
    entity: event.entity ?? null,
    entity_id: event.entityId ?? null,
    patient_id: event.patientId ?? null,
    outcome: event.outcome ?? 'success',
    details: event.details ? JSON.stringify(event.details) : null,
  };
  await insertAuditEntry(db, row);
}

/**
 * Checks the policy; a denial is audited and thrown as ForbiddenError. Call it outside of any
 * transaction (the embedded database has one connection, and a denied row must not roll back).
 */
export async function authorize(
  ctx: DomainContext,
  actor: Actor,
  action: Action,
  resource: Resource = {},
  audit: Omit<AuditEvent, 'action' | 'outcome'> = {},
): Promise<void> {
  try {
    assertCan(actor, action, resource);
  } catch (error) {
    if (error instanceof ForbiddenError) {
      await recordAudit(ctx.db, actor, { ...audit, action, outcome: 'denied' });
    }
    throw error;
  }
}
