import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { insertDoctorProfile, replaceHours } from '../../src/db/repositories/doctors.js';
import { addToPanel, insertPatientProfile } from '../../src/db/repositories/patients.js';
import { DEFAULT_SLOT_MINUTES, DEFAULT_WEEKLY_HOURS } from '../../src/domain/doctors/defaults.js';
import type { Actor, Role } from '../../src/domain/policy.js';
import { createAccount } from '../../src/domain/users/accounts.js';

/**
 * Test data builders over the real schema. Accounts get no password unless one is given
 * (bcrypt at cost 12 takes a quarter of a second per hash).
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export interface MadeUser extends Actor {
  fullName: string;
}

export async function makeUser(knex: Knex, options: { role: Role; username?: string; fullName?: string; password?: string; email?: string }): Promise<MadeUser> {
  const username = options.username ?? uniqueName(options.role);
  const row = await createAccount(knex, {
    username,
    fullName: options.fullName ?? `Test ${options.role} ${username}`,
    email: options.email ?? null,
    role: options.role,
    password: options.password,
  });
  return { id: row.id, username: row.username, role: row.role, fullName: row.full_name };
}

export const makeAdmin = (knex: Knex, options: { username?: string; password?: string } = {}) => makeUser(knex, { ...options, role: 'admin' });
export const makeStaff = (knex: Knex, options: { username?: string; password?: string } = {}) => makeUser(knex, { ...options, role: 'staff' });

/** A doctor with the default hours (mon–fri 09:00–17:00) unless `hours` says otherwise. */
export async function makeDoctor(
  knex: Knex,
  options: { username?: string; fullName?: string; password?: string; specialty?: string; slotMinutes?: number; hours?: ReadonlyArray<{ weekday: number; start: string; end: string }> } = {},
): Promise<MadeUser> {
  const user = await makeUser(knex, { ...options, role: 'doctor' });
  await insertDoctorProfile(knex, {
    user_id: user.id,
    specialty: options.specialty ?? null,
    license_number: null,
    slot_minutes: options.slotMinutes ?? DEFAULT_SLOT_MINUTES,
  });
  const hours = options.hours ?? DEFAULT_WEEKLY_HOURS;
  await replaceHours(knex, user.id, [1, 2, 3, 4, 5, 6, 7], hours.map((h) => ({ doctor_id: user.id, weekday: h.weekday, start_time: h.start, end_time: h.end })));
  return user;
}

/** A patient, on the panels of `doctors`. */
export async function makePatient(
  knex: Knex,
  options: { username?: string; fullName?: string; password?: string; dateOfBirth?: string; phone?: string; doctors?: ReadonlyArray<{ id: string }> } = {},
): Promise<MadeUser> {
  const user = await makeUser(knex, { ...options, role: 'patient' });
  await insertPatientProfile(knex, { user_id: user.id, date_of_birth: options.dateOfBirth ?? null, phone: options.phone ?? null });
  for (const doctor of options.doctors ?? []) await addToPanel(knex, doctor.id, user.id);
  return user;
}
