import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { IntegrityError } from '../errors.js';
import { requireActor } from '../policy.js';
import { authorize } from './record.js';
import { readAuditChain, type ChainProblem } from '../../db/repositories/audit-log.js';

/** What `clinic audit verify` reports (README "Audit log"). */
export type AuditChainReport =
  { ok: true; rows: number; head: string } | { ok: false; rows: number; firstBadRow: number | null; position: number; problem: ChainProblem; message: string };

/**
 * Walks the audit log's hash chain (admin only): every row's hash must match its content and the
 * hash of the row before it, positions must run 1, 2, 3, … and end where the chain head says.
 */
export async function verifyAuditChain(ctx: DomainContext): Promise<AuditChainReport> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'audit.read', {}, { entity: 'audit_log' });
  return checkAuditChain(ctx.db);
}

/** The chain check itself, on `db` (a clinic import or a copy checks its own transaction). */
export async function checkAuditChain(db: Knex): Promise<AuditChainReport> {
  const chain = await readAuditChain(db);
  const bad = (firstBadRow: number | null, position: number, problem: ChainProblem, message: string): AuditChainReport => ({
    ok: false,
    rows: chain.rows,
    firstBadRow,
    position,
    problem,
    message,
  });

  const broken = chain.firstBroken;
  if (broken?.problem === 'altered') {
    return bad(broken.id, broken.seq, 'altered', `Audit row ${broken.id} (position ${broken.seq}) was altered: its content no longer matches its hash.`);
  }
  if (broken?.problem === 'missing') {
    const missing = broken.seq - broken.expectedSeq;
    return bad(
      broken.id,
      broken.seq,
      'missing',
      `${missing} audit row${missing === 1 ? ' is' : 's are'} missing before row ${broken.id} (position ${broken.seq}, expected ${broken.expectedSeq}).`,
    );
  }
  if (broken) {
    return bad(
      broken.id,
      broken.seq,
      'out-of-order',
      `Audit row ${broken.id} (position ${broken.seq}) does not follow the row before it: it was inserted out of order, or the row before it was rewritten.`,
    );
  }
  if (chain.beyondHead) {
    const { id, seq } = chain.beyondHead;
    return bad(id, seq, 'out-of-order', `Audit row ${id} (position ${seq}) was added outside the chain: the chain ends at position ${chain.headSeq}.`);
  }
  const lastSeq = chain.last?.seq ?? 0;
  if (lastSeq < chain.headSeq) {
    const missing = chain.headSeq - lastSeq;
    return bad(
      null,
      lastSeq + 1,
      'missing',
      `The last ${missing === 1 ? 'audit row is' : `${missing} audit rows are`} missing: the log ends at position ${lastSeq}, the chain at ${chain.headSeq}.`,
    );
  }
  if (chain.last && !chain.last.hash.equals(chain.headHash)) {
    return bad(
      chain.last.id,
      chain.last.seq,
      'altered',
      `Audit row ${chain.last.id} (position ${chain.last.seq}) was replaced: its hash is not the one the chain ends with.`,
    );
  }
  return { ok: true, rows: chain.rows, head: chain.headHash.toString('hex') };
}

/** A broken chain is an error of its own (exit 9), after the report has been shown. */
export function assertAuditChainIntact(report: AuditChainReport): void {
  if (report.ok) return;
  throw new IntegrityError(`The audit log's hash chain is broken: ${report.message}`, {
    remedy: 'Rows were changed outside clinic. Keep this database as evidence, compare it with a backup, and find out who had owner or superuser access.',
    details: { firstBadRow: report.firstBadRow, position: report.position, problem: report.problem },
  });
}
