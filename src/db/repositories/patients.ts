import type { Knex } from 'knex';
import type { UserStatus } from '../schema-values.js';
import { USER_COLUMNS, whereNameHolds, whereUserRef, type UserRow } from './users.js';
import { batches } from '../batches.js';

export interface PatientProfileRow {
  user_id: string;
  date_of_birth: string | null; // 'YYYY-MM-DD'
  phone: string | null;
}

export type PatientRow = UserRow & Omit<PatientProfileRow, 'user_id'>;

const PATIENT_COLUMNS = [...USER_COLUMNS.map((column) => `users.${column}`), 'patients.date_of_birth', 'patients.phone'];

export function patientsQuery(db: Knex): Knex.QueryBuilder {
  return db('patients').join('users', 'users.id', 'patients.user_id').select(PATIENT_COLUMNS);
}

export async function insertPatientProfile(db: Knex, row: PatientProfileRow): Promise<void> {
  await db('patients').insert(row);
}

export async function updatePatientProfile(db: Knex, userId: string, changes: Partial<Omit<PatientProfileRow, 'user_id'>>): Promise<void> {
  if (Object.keys(changes).length > 0) await db('patients').where({ user_id: userId }).update(changes);
}

/** A patient named by username or id. */
export async function findPatientByRef(db: Knex, ref: string): Promise<PatientRow | undefined> {
  return whereUserRef(patientsQuery(db), ref).first();
}

/** A patient named by username or id, with the doctors of their panel, in one statement. */
export async function findPatientWithPanelByRef(db: Knex, ref: string): Promise<{ patient: PatientRow; panel: string[] } | undefined> {
  const row = (await whereUserRef(patientsQuery(db), ref)
    .select(db.raw('array(SELECT dp.doctor_id::text FROM doctor_patients AS dp WHERE dp.patient_id = patients.user_id) AS panel_doctor_ids'))
    .first()) as (PatientRow & { panel_doctor_ids: string[] }) | undefined;
  if (!row) return undefined;
  const { panel_doctor_ids: panel, ...patient } = row;
  return { patient, panel };
}

/** The doctor–patient panel. */
export async function panelDoctorIds(db: Knex, patientId: string): Promise<string[]> {
  const rows = await db('doctor_patients').select('doctor_id').where({ patient_id: patientId });
  return rows.map((row: { doctor_id: string }) => row.doctor_id);
}

export async function addToPanel(db: Knex, doctorId: string, patientId: string): Promise<boolean> {
  const inserted = await db('doctor_patients')
    .insert({ doctor_id: doctorId, patient_id: patientId })
    .onConflict(['doctor_id', 'patient_id'])
    .ignore()
    .returning('doctor_id');
  return inserted.length > 0;
}

export async function removeFromPanel(db: Knex, doctorId: string, patientId: string): Promise<boolean> {
  const deleted = await db('doctor_patients').where({ doctor_id: doctorId, patient_id: patientId }).delete().returning('doctor_id');
  return deleted.length > 0;
}

export async function isOnPanel(db: Knex, doctorId: string, patientId: string): Promise<boolean> {
  return (await db('doctor_patients').where({ doctor_id: doctorId, patient_id: patientId }).first()) !== undefined;
}

export interface PatientFilter {
  /** only patients on this doctor's panel */
  doctorId?: string;
  /** only this patient */
  patientId?: string;
  /** name or username containing this text, ignoring case and accents */
  search?: string;
  /** born on this day (YYYY-MM-DD) */
  dateOfBirth?: string;
  /** a phone number whose digits end with these digits */
  phoneEndsWith?: string;
  /** only accounts in this status */
  status?: UserStatus;
  limit?: number;
}

export async function listPatients(db: Knex, filter: PatientFilter = {}): Promise<PatientRow[]> {
  const query = filteredPatients(db, patientsQuery(db), filter).orderBy('users.username');
  if (filter.limit !== undefined) query.limit(filter.limit);
  return query;
}

/** How many patients the filter matches (its limit ignored). */
export async function countPatients(db: Knex, filter: PatientFilter = {}): Promise<number> {
  const [row] = await filteredPatients(db, db('patients').join('users', 'users.id', 'patients.user_id'), filter).count<Array<{ n: string | number }>>({
    n: '*',
  });
  return Number(row?.n ?? 0);
}

function filteredPatients(db: Knex, query: Knex.QueryBuilder, filter: PatientFilter): Knex.QueryBuilder {
  if (filter.patientId) query.where('users.id', filter.patientId);
  if (filter.doctorId) {
    query.whereExists(
      db('doctor_patients').select(db.raw('1')).whereRaw('doctor_patients.patient_id = patients.user_id').where('doctor_patients.doctor_id', filter.doctorId),
    );
  }
  if (filter.status) query.where('users.status', filter.status);
  if (filter.search) whereNameHolds(query, filter.search);
  if (filter.dateOfBirth) query.where('patients.date_of_birth', filter.dateOfBirth);
  if (filter.phoneEndsWith) {
    // The expression of patients_phone_digits_idx; the pattern is built here, a constant prefix the index can use.
    const reversed = [...filter.phoneEndsWith].reverse().join('');
    query.whereRaw("reverse(regexp_replace(patients.phone, '[^0-9]', '', 'g')) LIKE ?", [`${reversed}%`]);
  }
  return query;
}

/** listPatients, each with the doctors of their panel, in one statement. */
export async function listPatientsWithPanels(db: Knex, filter: PatientFilter = {}): Promise<Array<{ patient: PatientRow; panel: string[] }>> {
  const query = filteredPatients(db, patientsQuery(db), filter)
    .select(db.raw('array(SELECT dp.doctor_id::text FROM doctor_patients AS dp WHERE dp.patient_id = patients.user_id) AS panel_doctor_ids'))
    .orderBy('users.username');
  if (filter.limit !== undefined) query.limit(filter.limit);
  const rows = (await query) as Array<PatientRow & { panel_doctor_ids: string[] }>;
  return rows.map(({ panel_doctor_ids: panel, ...patient }) => ({ patient, panel }));
}

export interface PanelDoctorRow {
  id: string;
  username: string;
  full_name: string;
}

/** The doctors whose panel holds the patient, by username. */
export async function findPanelDoctors(db: Knex, patientId: string): Promise<PanelDoctorRow[]> {
  return db('doctor_patients')
    .join('users', 'users.id', 'doctor_patients.doctor_id')
    .select('users.id', 'users.username', 'users.full_name')
    .where('doctor_patients.patient_id', patientId)
    .orderBy('users.username');
}

export async function insertPatientProfiles(
  db: Knex,
  rows: ReadonlyArray<{ user_id: string; date_of_birth: string | null; phone: string | null }>,
): Promise<void> {
  for (const batch of batches(rows)) await db('patients').insert(batch).onConflict('user_id').ignore();
}

export async function insertPanelEntries(db: Knex, rows: ReadonlyArray<{ doctor_id: string; patient_id: string }>): Promise<void> {
  for (const batch of batches(rows)) await db('doctor_patients').insert(batch).onConflict(['doctor_id', 'patient_id']).ignore();
}
