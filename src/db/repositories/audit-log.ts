import type { Knex } from 'knex';
import type { AuditOutcome } from '../schema-values.js';

export interface AuditRow {
  id: number;
  at: Date;
  actor_id: string | null;
  actor: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  patient_id: string | null;
  outcome: AuditOutcome;
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
  limit?: number;
}

const AUDIT_COLUMNS = ['id', 'at', 'actor_id', 'actor', 'action', 'entity', 'entity_id', 'patient_id', 'outcome', 'details'] as const;

/** `at` and the chain columns are set by the database (migration 20261201090000_chain_audit_log). */
export async function insertAuditEntry(db: Knex, row: NewAuditRow): Promise<void> {
  await db('audit_log').insert(row);
}

export type ChainProblem = 'altered' | 'missing' | 'out-of-order';

/** The first row, in chain order, that breaks the chain: its own hash, its position, or its link to the row before. */
export interface BrokenChainRow {
  id: number;
  seq: number;
  /** the position the row should have had */
  expectedSeq: number;
  problem: ChainProblem;
}

export interface AuditChainState {
  /** rows in the table */
  rows: number;
  /** what the chain head says: the position and hash of the last row chained */
  headSeq: number;
  headHash: Buffer;
  /** the last row in the table */
  last: { id: number; seq: number; hash: Buffer } | null;
  /** the first row placed after the chain head's position (added with the chain trigger off) */
  beyondHead: { id: number; seq: number } | null;
  firstBroken: BrokenChainRow | null;
}

/*
 * One pass in position order, in the database (the hash is the trigger's own function); it stops at
 * the first bad row, so memory stays flat and an intact log of 100,000 rows takes a fraction of a second.
 */
const FIRST_BROKEN_ROW = `
  SELECT id, seq, expected_seq, problem FROM (
    SELECT a.id, a.seq, coalesce(lag(a.seq) OVER chain, 0) + 1 AS expected_seq,
           CASE
             WHEN a.hash IS DISTINCT FROM audit_log_row_hash(a.prev_hash, a) THEN 'altered'
             WHEN a.seq <> coalesce(lag(a.seq) OVER chain, 0) + 1 THEN 'missing'
             WHEN a.prev_hash IS DISTINCT FROM coalesce(lag(a.hash) OVER chain, decode(repeat('00', 32), 'hex')) THEN 'out-of-order'
           END AS problem
      FROM audit_log a
    WINDOW chain AS (ORDER BY a.seq)
  ) checked
  WHERE problem IS NOT NULL
  ORDER BY seq
  LIMIT 1`;

const CHAIN_HEAD = `
  SELECT h.seq AS head_seq, h.hash AS head_hash, (SELECT count(*) FROM audit_log) AS rows,
         last.id AS last_id, last.seq AS last_seq, last.hash AS last_hash, beyond.id AS beyond_id, beyond.seq AS beyond_seq
    FROM audit_log_chain_head h
    LEFT JOIN LATERAL (SELECT id, seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) last ON true
    LEFT JOIN LATERAL (SELECT id, seq FROM audit_log WHERE seq > h.seq ORDER BY seq LIMIT 1) beyond ON true`;

/** The chain as stored, read from one snapshot. */
export async function readAuditChain(db: Knex): Promise<AuditChainState> {
  return db.transaction(
    async (trx) => {
      const broken = await trx.raw<{ rows: Array<{ id: string; seq: string; expected_seq: string; problem: ChainProblem }> }>(FIRST_BROKEN_ROW);
      const head = await trx.raw<{
        rows: Array<{
          head_seq: string;
          head_hash: Buffer;
          rows: string;
          last_id: string | null;
          last_seq: string | null;
          last_hash: Buffer | null;
          beyond_id: string | null;
          beyond_seq: string | null;
        }>;
      }>(CHAIN_HEAD);
      const h = head.rows[0]!;
      const b = broken.rows[0];
      return {
        rows: Number(h.rows),
        headSeq: Number(h.head_seq),
        headHash: Buffer.from(h.head_hash),
        last: h.last_id === null ? null : { id: Number(h.last_id), seq: Number(h.last_seq), hash: Buffer.from(h.last_hash!) },
        beyondHead: h.beyond_id === null ? null : { id: Number(h.beyond_id), seq: Number(h.beyond_seq) },
        firstBroken: b ? { id: Number(b.id), seq: Number(b.seq), expectedSeq: Number(b.expected_seq), problem: b.problem } : null,
      };
    },
    { isolationLevel: 'repeatable read' },
  );
}

/** Newest first. */
export async function listAuditEntries(db: Knex, filter: AuditFilter): Promise<AuditRow[]> {
  const query = filteredAudit(db('audit_log').select(...AUDIT_COLUMNS), filter).orderBy([
    { column: 'at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (filter.limit !== undefined) query.limit(filter.limit);
  return query;
}

/** How many entries the filter matches (its limit ignored). */
export async function countAuditEntries(db: Knex, filter: AuditFilter): Promise<number> {
  const [row] = await filteredAudit(db('audit_log'), filter).count<Array<{ n: string | number }>>({ n: '*' });
  return Number(row?.n ?? 0);
}

function filteredAudit(query: Knex.QueryBuilder, filter: AuditFilter): Knex.QueryBuilder {
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
