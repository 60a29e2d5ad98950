import type { Knex } from 'knex';
import type { Role } from '../../domain/policy.js';

/** Many users, doctors and patients at once (seeding and people imports): multi-row statements, existing rows left alone. */

export interface BulkUserRow {
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
}

const BATCH = 1_000;

function* batches<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length; at += BATCH) yield rows.slice(at, at + BATCH);
}

/** Inserts the users whose username is free; returns the usernames created. */
export async function insertNewUsers(db: Knex, rows: readonly BulkUserRow[]): Promise<Set<string>> {
  const created = new Set<string>();
  for (const batch of batches(rows)) {
    const inserted: Array<{ username: string }> = await db('users').insert(batch).onConflict('username').ignore().returning(['username']);
    for (const row of inserted) created.add(row.username);
  }
  return created;
}

/** username → id, for the usernames given (lowercase). */
export async function userIdsByUsername(db: Knex, usernames: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const batch of batches(usernames)) {
    const rows: Array<{ id: string; username: string }> = await db('users').select('id', 'username').whereIn('username', batch);
    for (const row of rows) ids.set(row.username, row.id);
  }
  return ids;
}

export async function insertDoctorProfiles(db: Knex, rows: ReadonlyArray<{ user_id: string; specialty: string | null; license_number: string | null; slot_minutes: number }>): Promise<void> {
  for (const batch of batches(rows)) await db('doctors').insert(batch).onConflict('user_id').ignore();
}

export async function insertDoctorHours(db: Knex, rows: ReadonlyArray<{ doctor_id: string; weekday: number; start_time: string; end_time: string }>): Promise<void> {
  for (const batch of batches(rows)) await db('doctor_hours').insert(batch);
}

export async function insertPatientProfiles(db: Knex, rows: ReadonlyArray<{ user_id: string; date_of_birth: string | null; phone: string | null }>): Promise<void> {
  for (const batch of batches(rows)) await db('patients').insert(batch).onConflict('user_id').ignore();
}

export async function insertPanelEntries(db: Knex, rows: ReadonlyArray<{ doctor_id: string; patient_id: string }>): Promise<void> {
  for (const batch of batches(rows)) await db('doctor_patients').insert(batch).onConflict(['doctor_id', 'patient_id']).ignore();
}

/** The people of an export page, with what FHIR's Patient and Practitioner resources show. */
export interface PersonDetailsRow {
  id: string;
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
  date_of_birth: string | null;
  phone: string | null;
  specialty: string | null;
  license_number: string | null;
}

export async function peopleByIds(db: Knex, ids: readonly string[]): Promise<PersonDetailsRow[]> {
  if (ids.length === 0) return [];
  return db('users')
    .leftJoin('patients', 'patients.user_id', 'users.id')
    .leftJoin('doctors', 'doctors.user_id', 'users.id')
    .select('users.id', 'users.username', 'users.full_name', 'users.email', 'users.role', 'patients.date_of_birth', 'patients.phone', 'doctors.specialty', 'doctors.license_number')
    .whereIn('users.id', [...ids]);
}
