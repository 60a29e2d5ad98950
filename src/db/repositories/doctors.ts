import { whereIdStartsWith } from './id-prefix.js';
import type { Knex } from 'knex';
import { USER_COLUMNS, whereUserRef, type UserRow } from './users.js';
import { batches } from '../batches.js';

export interface DoctorProfileRow {
  user_id: string;
  specialty: string | null;
  license_number: string | null;
  slot_minutes: number;
}

export type DoctorRow = UserRow & Omit<DoctorProfileRow, 'user_id'>;

export interface DoctorHoursRow {
  id: string;
  doctor_id: string;
  weekday: number; // ISO: 1 = Monday ... 7 = Sunday
  start_time: string; // 'HH:MM:SS'
  end_time: string;
}

export type NewDoctorHoursRow = Omit<DoctorHoursRow, 'id'>;

export interface DoctorTimeoffRow {
  id: string;
  doctor_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  created_by: string | null;
  created_at: Date;
}

export type NewDoctorTimeoffRow = Omit<DoctorTimeoffRow, 'id' | 'created_at'>;

const DOCTOR_COLUMNS = [...USER_COLUMNS.map((column) => `users.${column}`), 'doctors.specialty', 'doctors.license_number', 'doctors.slot_minutes'];

function doctorsQuery(db: Knex): Knex.QueryBuilder {
  return db('doctors').join('users', 'users.id', 'doctors.user_id').select(DOCTOR_COLUMNS);
}

export async function insertDoctorProfile(db: Knex, row: DoctorProfileRow): Promise<void> {
  await db('doctors').insert(row);
}

export async function updateDoctorProfile(db: Knex, userId: string, changes: Partial<Omit<DoctorProfileRow, 'user_id'>>): Promise<void> {
  if (Object.keys(changes).length > 0) await db('doctors').where({ user_id: userId }).update(changes);
}

/** A doctor named by username or id. */
export async function findDoctorByRef(db: Knex, ref: string): Promise<DoctorRow | undefined> {
  return whereUserRef(doctorsQuery(db), ref).first();
}

export async function findDoctorsByUsernames(db: Knex, usernames: readonly string[]): Promise<DoctorRow[]> {
  if (usernames.length === 0) return [];
  return doctorsQuery(db).whereIn(
    'users.username',
    usernames.map((name) => name.toLowerCase()),
  );
}

export async function listDoctors(db: Knex, filter: { specialty?: string } = {}): Promise<DoctorRow[]> {
  const query = doctorsQuery(db).orderBy('users.username');
  if (filter.specialty) query.whereRaw('lower(doctors.specialty) = lower(?)', [filter.specialty]);
  return query;
}

export async function findHours(db: Knex, doctorId: string): Promise<DoctorHoursRow[]> {
  return db('doctor_hours').select('id', 'doctor_id', 'weekday', 'start_time', 'end_time').where({ doctor_id: doctorId }).orderBy(['weekday', 'start_time']);
}

/** Every doctor's weekly hours (a few rows per doctor). */
export async function findAllHours(db: Knex): Promise<DoctorHoursRow[]> {
  return db('doctor_hours').select('id', 'doctor_id', 'weekday', 'start_time', 'end_time').orderBy(['doctor_id', 'weekday', 'start_time']);
}

/** Replaces the ranges of the given weekdays (the others stay as they are). */
export async function replaceHours(db: Knex, doctorId: string, weekdays: readonly number[], rows: readonly NewDoctorHoursRow[]): Promise<void> {
  await db('doctor_hours')
    .where({ doctor_id: doctorId })
    .whereIn('weekday', [...weekdays])
    .delete();
  if (rows.length > 0) await db('doctor_hours').insert([...rows]);
}

export async function insertTimeoff(db: Knex, row: NewDoctorTimeoffRow): Promise<DoctorTimeoffRow> {
  const [created] = await db('doctor_timeoff').insert(row).returning(['id', 'doctor_id', 'starts_at', 'ends_at', 'reason', 'created_by', 'created_at']);
  return created as DoctorTimeoffRow;
}

/** Time-off of a doctor overlapping [from, to). */
export async function findTimeoff(db: Knex, doctorId: string, range: { from?: Date; to?: Date } = {}): Promise<DoctorTimeoffRow[]> {
  const query = db('doctor_timeoff')
    .select('id', 'doctor_id', 'starts_at', 'ends_at', 'reason', 'created_by', 'created_at')
    .where({ doctor_id: doctorId })
    .orderBy('starts_at');
  if (range.to) query.where('starts_at', '<', range.to);
  if (range.from) query.where('ends_at', '>', range.from);
  return query;
}

/** A doctor's time off whose id starts with `prefix`, at most `limit`, by id. */
export async function findTimeoffByIdPrefix(db: Knex, doctorId: string, prefix: string, limit: number): Promise<DoctorTimeoffRow[]> {
  const query = db('doctor_timeoff').select('id', 'doctor_id', 'starts_at', 'ends_at', 'reason', 'created_by', 'created_at').where({ doctor_id: doctorId });
  return whereIdStartsWith(query, 'doctor_timeoff.id', prefix).orderBy('id').limit(limit);
}

export async function deleteTimeoff(db: Knex, id: string): Promise<void> {
  await db('doctor_timeoff').where({ id }).delete();
}

/** The doctor holding a licence number, if any (licence numbers are unique). */
export async function findDoctorByLicense(db: Knex, licenseNumber: string): Promise<DoctorRow | undefined> {
  return doctorsQuery(db).where('doctors.license_number', licenseNumber).first();
}

export async function insertDoctorProfiles(
  db: Knex,
  rows: ReadonlyArray<{ user_id: string; specialty: string | null; license_number: string | null; slot_minutes: number }>,
): Promise<void> {
  for (const batch of batches(rows)) await db('doctors').insert(batch).onConflict('user_id').ignore();
}

export async function insertDoctorHours(
  db: Knex,
  rows: ReadonlyArray<{ doctor_id: string; weekday: number; start_time: string; end_time: string }>,
): Promise<void> {
  for (const batch of batches(rows)) await db('doctor_hours').insert(batch);
}
