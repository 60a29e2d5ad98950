import type { Knex } from 'knex';
import { ACTIVE_STATUSES, type AppointmentStatus } from '../schema-values.js';
import { whereIdStartsWith } from './id-prefix.js';

export interface AppointmentRow {
  id: string;
  patient_id: string;
  doctor_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  status: AppointmentStatus;
  cancel_reason: string | null;
  rescheduled_from_id: string | null;
  /** shared by the occurrences of one recurring booking; null for a single appointment */
  series_id: string | null;
  external_id: string | null;
  /** SHA-256 of the booking request that carried external_id as its idempotency key. */
  request_fingerprint: string | null;
  /** when `appointments due --mark-reminded` handed it to a reminder job; null until then */
  reminded_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An appointment with the usernames of its two parties. */
export interface AppointmentWithNamesRow extends AppointmentRow {
  patient_username: string;
  doctor_username: string;
}

export type NewAppointmentRow = Pick<AppointmentRow, 'patient_id' | 'doctor_id' | 'starts_at' | 'ends_at' | 'reason' | 'status' | 'created_by'> &
  Partial<Pick<AppointmentRow, 'rescheduled_from_id' | 'series_id' | 'external_id' | 'request_fingerprint'>>;

const COLUMNS = [
  'id',
  'patient_id',
  'doctor_id',
  'starts_at',
  'ends_at',
  'reason',
  'status',
  'cancel_reason',
  'rescheduled_from_id',
  'series_id',
  'external_id',
  'request_fingerprint',
  'reminded_at',
  'created_by',
  'created_at',
  'updated_at',
] as const;

function withNames(db: Knex): Knex.QueryBuilder {
  return db('appointments as a')
    .join('users as p', 'p.id', 'a.patient_id')
    .join('users as d', 'd.id', 'a.doctor_id')
    .select(...COLUMNS.map((column) => `a.${column}`), 'p.username as patient_username', 'd.username as doctor_username');
}

export async function insertAppointment(db: Knex, row: NewAppointmentRow): Promise<AppointmentRow> {
  const [created] = await db('appointments')
    .insert(row)
    .returning([...COLUMNS]);
  return created as AppointmentRow;
}

export async function findAppointmentById(db: Knex, id: string): Promise<AppointmentWithNamesRow | undefined> {
  return withNames(db).where('a.id', id).first();
}

/** The occurrences of a series from `from` on that can still be cancelled or moved (PENDING, APPROVED), with names, by start. */
export async function findFollowingInSeries(db: Knex, seriesId: string, from: Date): Promise<AppointmentWithNamesRow[]> {
  return withNames(db)
    .where('a.series_id', seriesId)
    .where('a.starts_at', '>=', from)
    .whereIn('a.status', ['PENDING', 'APPROVED'])
    .orderBy([{ column: 'a.starts_at' }, { column: 'a.id' }]);
}

/** The occurrences of a series from `from` on that can still be cancelled or moved (PENDING, APPROVED), locked, by start. */
export async function lockFollowingInSeries(trx: Knex.Transaction, seriesId: string, from: Date): Promise<AppointmentRow[]> {
  return trx('appointments')
    .select(...COLUMNS)
    .where('series_id', seriesId)
    .where('starts_at', '>=', from)
    .whereIn('status', ['PENDING', 'APPROVED'])
    .orderBy([{ column: 'starts_at' }, { column: 'id' }])
    .forUpdate();
}

/** The appointment an import or an idempotent booking stored under this key. */
export async function findAppointmentByExternalId(db: Knex, externalId: string): Promise<AppointmentWithNamesRow | undefined> {
  return withNames(db).where('a.external_id', externalId).first();
}

/** The key an export names each of these appointments by: its externalId, else its id. */
export async function appointmentKeys(db: Knex, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows: Array<{ id: string; external_id: string | null }> = await db('appointments').select('id', 'external_id').whereIn('id', ids);
  return new Map(rows.map((row) => [row.id, row.external_id ?? row.id]));
}

/**
 * For each of these appointments, the first appointment of its reschedule chain (itself when it
 * was never rescheduled) and how many reschedules lead from there to it.
 */
export async function rescheduleOrigins(db: Knex, ids: readonly string[]): Promise<Map<string, { rootId: string; moves: number }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: Array<{ id: string; root_id: string; moves: number }> }>(
    `WITH RECURSIVE chain(id, at_id, from_id, moves) AS (
       SELECT a.id, a.id, a.rescheduled_from_id, 0 FROM appointments a WHERE a.id = ANY(?::uuid[])
       UNION ALL
       SELECT chain.id, earlier.id, earlier.rescheduled_from_id, chain.moves + 1
         FROM chain JOIN appointments earlier ON earlier.id = chain.from_id
        WHERE chain.moves < 10000
     )
     SELECT id, at_id AS root_id, moves FROM chain WHERE from_id IS NULL`,
    [[...ids]],
  );
  return new Map(rows.map((row) => [row.id, { rootId: row.root_id, moves: Number(row.moves) }]));
}

/**
 * Those of these appointments that a reschedule replaced by one the filter also matches, directly
 * or further down the chain: where a listing shows a chain once, by its latest appointment.
 */
export async function supersededWithin(db: Knex, ids: readonly string[], filter: AppointmentFilter): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const later = db
    .withRecursive('later', ['origin', 'id', 'depth'], (chain) =>
      chain
        .select('rescheduled_from_id', 'id', db.raw('1'))
        .from('appointments')
        .whereIn('rescheduled_from_id', [...ids])
        .unionAll((next) =>
          next
            .select('later.origin', 'n.id', db.raw('later.depth + 1'))
            .from('later')
            .join('appointments as n', 'n.rescheduled_from_id', 'later.id')
            .where('later.depth', '<', 10_000),
        ),
    )
    .distinct('later.origin')
    .from('later')
    .join('appointments as a', 'a.id', 'later.id');
  const rows: Array<{ origin: string }> = await filtered(later, { ...filter, after: undefined });
  return new Set(rows.map((row) => row.origin));
}

/** Appointments whose id starts with `prefix`, within `scope`, at most `limit` of them, by id. */
export async function findAppointmentsByIdPrefix(
  db: Knex,
  prefix: string,
  scope: { doctorId?: string; patientId?: string },
  limit: number,
): Promise<AppointmentWithNamesRow[]> {
  const query = whereIdStartsWith(withNames(db), 'a.id', prefix).orderBy('a.id').limit(limit);
  if (scope.doctorId) query.where('a.doctor_id', scope.doctorId);
  if (scope.patientId) query.where('a.patient_id', scope.patientId);
  return query;
}

/** The row, locked until the transaction ends (status transitions). */
export async function lockAppointment(trx: Knex.Transaction, id: string): Promise<AppointmentRow | undefined> {
  return trx('appointments')
    .select(...COLUMNS)
    .where({ id })
    .forUpdate()
    .first();
}

export async function updateAppointment(db: Knex, id: string, changes: Partial<Pick<AppointmentRow, 'status' | 'cancel_reason'>>): Promise<AppointmentRow> {
  const [updated] = await db('appointments')
    .where({ id })
    .update({ ...changes, updated_at: db.fn.now() })
    .returning([...COLUMNS]);
  return updated as AppointmentRow;
}

/** These appointments with their parties' usernames, in (starts_at, id) order. */
export async function findAppointmentsByIds(db: Knex, ids: readonly string[]): Promise<AppointmentWithNamesRow[]> {
  if (ids.length === 0) return [];
  return withNames(db)
    .whereIn('a.id', [...ids])
    .orderBy([{ column: 'a.starts_at' }, { column: 'a.id' }]);
}

/** APPROVED appointments starting in [from, to) that no reminder job has taken yet, earliest first. */
export async function findUnremindedApproved(db: Knex, window: { from: Date; to: Date }): Promise<AppointmentWithNamesRow[]> {
  return withNames(db)
    .where('a.status', 'APPROVED')
    .whereNull('a.reminded_at')
    .where('a.starts_at', '>=', window.from)
    .where('a.starts_at', '<', window.to)
    .orderBy([{ column: 'a.starts_at' }, { column: 'a.id' }]);
}

/**
 * Takes the unreminded APPROVED appointments starting in [from, to) in ONE statement: the rows a
 * concurrent run has already marked fail `reminded_at IS NULL` when PostgreSQL re-checks them
 * after waiting for that run's lock, so two overlapping runs never both return a row.
 */
export async function markUnremindedApproved(trx: Knex.Transaction, window: { from: Date; to: Date }, at: Date): Promise<string[]> {
  const rows: Array<{ id: string }> = await trx('appointments')
    .where('status', 'APPROVED')
    .whereNull('reminded_at')
    .where('starts_at', '>=', window.from)
    .where('starts_at', '<', window.to)
    .update({ reminded_at: at })
    .returning(['id']);
  return rows.map((row) => row.id);
}

/**
 * Appointments in one of `statuses` that started at or before `startedBy`, earliest first; locked
 * until the transaction ends when `lock` is set (a concurrent sweep then waits and, re-checking
 * the status, skips what the first one changed).
 */
export async function findStartedInStatuses(
  db: Knex,
  input: { statuses: readonly AppointmentStatus[]; startedBy: Date; lock: boolean },
): Promise<AppointmentWithNamesRow[]> {
  const query = withNames(db)
    .whereIn('a.status', [...input.statuses])
    .where('a.starts_at', '<=', input.startedBy)
    .orderBy([{ column: 'a.starts_at' }, { column: 'a.id' }]);
  if (input.lock) query.forUpdate('a');
  return query;
}

/** The same status for several appointments (the no-show sweep). */
export async function setStatuses(trx: Knex.Transaction, ids: readonly string[], status: AppointmentStatus): Promise<void> {
  if (ids.length === 0) return;
  await trx('appointments')
    .whereIn('id', [...ids])
    .update({ status, updated_at: trx.fn.now() });
}

/**
 * The active appointments of a doctor or of a patient overlapping [from, to), earliest first.
 * tstzrange(starts_at, ends_at) && … is the expression of the exclusion constraints' GiST indexes
 * (partial on the active statuses): the search goes straight to the overlapping rows.
 */
function activeOverlapping(
  query: Knex.QueryBuilder,
  who: { doctorId?: string | undefined; patientId?: string | undefined },
  from: Date,
  to: Date,
): Knex.QueryBuilder {
  return query
    .whereIn('a.status', ACTIVE_STATUSES)
    .whereRaw('tstzrange(a.starts_at, a.ends_at) && tstzrange(?, ?)', [from, to])
    .where((where) => {
      if (who.doctorId) where.orWhere('a.doctor_id', who.doctorId);
      if (who.patientId) where.orWhere('a.patient_id', who.patientId);
    })
    .orderBy('a.starts_at');
}

/** Active appointments of a doctor or of a patient overlapping [from, to), earliest first, with names. */
export async function findActiveOverlapping(
  db: Knex,
  who: { doctorId?: string; patientId?: string },
  from: Date,
  to: Date,
): Promise<AppointmentWithNamesRow[]> {
  return activeOverlapping(withNames(db), who, from, to);
}

/** Their times only (findActiveOverlapping without the other columns and the names): what a free-slot search needs. */
export async function findActiveTimesOverlapping(
  db: Knex,
  who: { doctorId: string; patientId?: string | undefined },
  from: Date,
  to: Date,
): Promise<Array<Pick<AppointmentRow, 'starts_at' | 'ends_at'>>> {
  return activeOverlapping(db('appointments as a').select('a.starts_at', 'a.ends_at'), who, from, to);
}

/** The times of the active appointments starting after `now` (only the columns a schedule check needs). */
export async function findFutureActiveTimes(db: Knex, now: Date): Promise<Array<Pick<AppointmentRow, 'doctor_id' | 'starts_at' | 'ends_at'>>> {
  return db('appointments').select('doctor_id', 'starts_at', 'ends_at').whereIn('status', ACTIVE_STATUSES).where('starts_at', '>', now);
}

export interface AppointmentFilter {
  doctorId?: string;
  patientId?: string;
  from?: Date;
  to?: Date;
  status?: AppointmentStatus;
  limit?: number;
  /** keyset paging: only appointments after this one in (starts_at, id) order */
  after?: { startsAt: Date; id: string };
  /** the acting doctor's or patient's own appointments only */
  ownDoctorId?: string;
  ownPatientId?: string;
}

export async function listAppointments(db: Knex, filter: AppointmentFilter): Promise<AppointmentWithNamesRow[]> {
  const query = filtered(withNames(db), filter).orderBy([{ column: 'a.starts_at' }, { column: 'a.id' }]);
  if (filter.limit !== undefined) query.limit(filter.limit);
  return query;
}

/** How many appointments the filter matches (its limit and keyset ignored): one count, no rows fetched. */
export async function countAppointments(db: Knex, filter: AppointmentFilter): Promise<number> {
  const [row] = await filtered(db('appointments as a'), { ...filter, after: undefined }).count<Array<{ n: string | number }>>({ n: '*' });
  return Number(row?.n ?? 0);
}

function filtered(query: Knex.QueryBuilder, filter: AppointmentFilter): Knex.QueryBuilder {
  if (filter.doctorId) query.where('a.doctor_id', filter.doctorId);
  if (filter.patientId) query.where('a.patient_id', filter.patientId);
  if (filter.from) query.where('a.starts_at', '>=', filter.from);
  if (filter.to) query.where('a.starts_at', '<', filter.to);
  if (filter.status) query.where('a.status', filter.status);
  if (filter.ownDoctorId) query.where('a.doctor_id', filter.ownDoctorId);
  if (filter.ownPatientId) query.where('a.patient_id', filter.ownPatientId);
  if (filter.after) {
    const { startsAt, id } = filter.after;
    query.where((after) => after.where('a.starts_at', '>', startsAt).orWhere((same) => same.where('a.starts_at', startsAt).andWhere('a.id', '>', id)));
  }
  return query;
}
