import type { Knex } from 'knex';
import { whereIdStartsWith } from './id-prefix.js';

export type WaitlistStatus = 'WAITING' | 'FULFILLED' | 'REMOVED';

export interface WaitlistRow {
  id: string;
  patient_id: string;
  doctor_id: string;
  /** clinic-local dates, inclusive; null is open-ended */
  from_date: string | null;
  to_date: string | null;
  /** clinic-local times of day ('HH:MM:SS'); both or neither */
  from_time: string | null;
  to_time: string | null;
  /** ISO weekdays, 1 = Monday … 7 = Sunday */
  weekdays: number[];
  status: WaitlistStatus;
  appointment_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface WaitlistWithNamesRow extends WaitlistRow {
  patient_username: string;
  doctor_username: string;
}

export type NewWaitlistRow = Pick<WaitlistRow, 'patient_id' | 'doctor_id' | 'from_date' | 'to_date' | 'from_time' | 'to_time' | 'weekdays' | 'created_by'>;

const COLUMNS = [
  'id',
  'patient_id',
  'doctor_id',
  'from_date',
  'to_date',
  'from_time',
  'to_time',
  'weekdays',
  'status',
  'appointment_id',
  'created_by',
  'created_at',
  'updated_at',
] as const;

// Dates as text: a `date` column would come back as a JS Date at local midnight.
const SELECTED = COLUMNS.map((column) => (column === 'from_date' || column === 'to_date' ? `w.${column}::text as ${column}` : `w.${column}`));

function withNames(db: Knex): Knex.QueryBuilder {
  return db('waitlist as w')
    .join('users as p', 'p.id', 'w.patient_id')
    .join('users as d', 'd.id', 'w.doctor_id')
    .select(...SELECTED.map((column) => (column.includes('::') ? db.raw(column) : column)), 'p.username as patient_username', 'd.username as doctor_username');
}

export async function insertWaitlistEntry(db: Knex, row: NewWaitlistRow): Promise<string> {
  const [created] = await db('waitlist').insert(row).returning('id');
  return (created as { id: string }).id;
}

export async function findWaitlistEntryById(db: Knex, id: string): Promise<WaitlistWithNamesRow | undefined> {
  return withNames(db).where('w.id', id).first();
}

export async function findWaitlistEntriesByIdPrefix(
  db: Knex,
  prefix: string,
  scope: { doctorId?: string; patientId?: string },
  limit: number,
): Promise<WaitlistWithNamesRow[]> {
  const query = whereIdStartsWith(withNames(db), 'w.id', prefix).orderBy('w.id').limit(limit);
  if (scope.doctorId) query.where('w.doctor_id', scope.doctorId);
  if (scope.patientId) query.where('w.patient_id', scope.patientId);
  return query;
}

export interface WaitlistFilter {
  doctorId?: string;
  patientId?: string;
  /** all statuses when undefined */
  status?: WaitlistStatus;
  /** the acting doctor's or patient's own entries only */
  ownDoctorId?: string;
  ownPatientId?: string;
}

/** Entries in the order they are offered slots: earliest first. */
export async function listWaitlist(db: Knex, filter: WaitlistFilter): Promise<WaitlistWithNamesRow[]> {
  const query = withNames(db).orderBy([{ column: 'w.created_at' }, { column: 'w.id' }]);
  if (filter.doctorId) query.where('w.doctor_id', filter.doctorId);
  if (filter.patientId) query.where('w.patient_id', filter.patientId);
  if (filter.ownDoctorId) query.where('w.doctor_id', filter.ownDoctorId);
  if (filter.ownPatientId) query.where('w.patient_id', filter.ownPatientId);
  if (filter.status) query.where('w.status', filter.status);
  return query;
}

/** A WAITING entry leaves the list; false when it was not waiting any more. */
export async function removeWaitlistEntry(db: Knex, id: string): Promise<boolean> {
  const changed = await db('waitlist').where({ id, status: 'WAITING' }).update({ status: 'REMOVED', updated_at: db.fn.now() });
  return changed > 0;
}

export interface FreedSlot {
  doctorId: string;
  /** the patient who gave the slot up is not offered it back */
  exceptPatientId: string;
  date: string;
  weekday: number;
  /** 'HH:MM', clinic time; the end of a slot that ends at midnight is '24:00' */
  startTime: string;
  endTime: string;
}

/**
 * The earliest WAITING entry (created_at, id) of an active patient whose window takes the slot,
 * locked for this transaction. Entries another transaction holds are skipped (SKIP LOCKED): two
 * freed slots never go to one entry, and neither transaction waits for the other.
 */
export async function lockNextMatchingEntry(trx: Knex.Transaction, slot: FreedSlot, tried: readonly string[]): Promise<WaitlistRow | undefined> {
  const query = trx('waitlist as w')
    .join('users as p', 'p.id', 'w.patient_id')
    .select(...SELECTED.map((column) => (column.includes('::') ? trx.raw(column) : column)))
    .where({ 'w.doctor_id': slot.doctorId, 'w.status': 'WAITING', 'p.status': 'active' })
    .whereNot('w.patient_id', slot.exceptPatientId)
    .where((q) => q.whereNull('w.from_date').orWhere('w.from_date', '<=', slot.date))
    .where((q) => q.whereNull('w.to_date').orWhere('w.to_date', '>=', slot.date))
    .where((q) => q.whereNull('w.from_time').orWhere((fits) => fits.where('w.from_time', '<=', slot.startTime).andWhere('w.to_time', '>=', slot.endTime)))
    .whereRaw('?::smallint = ANY (w.weekdays)', [slot.weekday])
    .orderBy([{ column: 'w.created_at' }, { column: 'w.id' }])
    .limit(1)
    .forUpdate('w')
    .skipLocked();
  if (tried.length > 0) query.whereNotIn('w.id', tried);
  return query.first();
}

/** The entry got its slot: only a WAITING entry can be fulfilled, once. */
export async function fulfilWaitlistEntry(trx: Knex.Transaction, id: string, appointmentId: string): Promise<boolean> {
  const changed = await trx('waitlist')
    .where({ id, status: 'WAITING' })
    .update({ status: 'FULFILLED', appointment_id: appointmentId, updated_at: trx.fn.now() });
  return changed > 0;
}
