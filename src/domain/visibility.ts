import { recordAudit } from './audit/record.js';
import type { DomainContext } from './context.js';
import type { NotFoundError } from './errors.js';
import { mayBeHidden, type Actor, type HideableKind } from './policy.js';

export interface MissingRecord {
  /** what kind of record was asked for (policy.mayBeHidden decides whether it can be hidden from the actor) */
  kind: HideableKind;
  /** the attempted action, as the audit row names it */
  action: string;
  /** the audit row's entity, when it is not the kind itself */
  entity?: string;
  /** what the actor typed */
  ref: string;
  /** the record, when it exists but is hidden from the actor: named in the audit row, for admins only */
  existing?: { id: string; patientId?: string | null } | undefined;
  error: NotFoundError;
}

/**
 * The error for a record the actor cannot have: unknown, or one they may not see. Both give the
 * actor the same exit code and message, and, where such records can be hidden from this actor,
 * the same denied audit row (which names the hidden record for the admins). Callers throw it.
 */
export async function notFoundFor(ctx: DomainContext, actor: Actor, missing: MissingRecord): Promise<NotFoundError> {
  if (mayBeHidden(actor, missing.kind)) {
    await recordAudit(ctx.db, actor, {
      action: missing.action,
      outcome: 'denied',
      entity: missing.entity ?? missing.kind,
      entityId: missing.existing?.id ?? null,
      patientId: missing.existing?.patientId ?? null,
      details: { ref: missing.ref },
    });
  }
  return missing.error;
}
