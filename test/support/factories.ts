import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { insertDoctorProfile, replaceHours } from '../../src/db/repositories/doctors.js';
import { addToPanel, insertPatientProfile } from '../../src/db/repositories/patients.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { DEFAULT_SLOT_MINUTES, DEFAULT_WEEKLY_HOURS } from '../../src/domain/doctors/defaults.js';
import { hashPassword } from '../../src/domain/identity/passwords.js';
import type { Actor, Role } from '../../src/domain/policy.js';
import { createAccount } from '../../src/domain/users/accounts.js';

/**
 * The one place that makes test data (users, doctors, patients, appointments) over the real
 * schema. Accounts get no password unless one is given; a given password is hashed for real
 * (bcrypt, the production cost 12) but once per password per test process, since each hash
 * takes a quarter of a second.
 */

/** Passwords the password policy accepts (strong, not containing any username the factories make). */
export const PASSWORD = 'correct horse battery staple';
export const OTHER_PASSWORD = 'Tr0ub4dor&3xyz-quiet';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

const hashes = new Map<string, Promise<string>>();

/** A real bcrypt hash of `password`, computed once per test process. */
export function passwordHash(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

export interface MadeUser extends Actor {
  fullName: string;
}

export async function makeUser(
  knex: Knex,
  options: { role: Role; username?: string; fullName?: string; password?: string; email?: string },
): Promise<MadeUser> {
  const username = options.username ?? uniqueName(options.role);
  const row = await createAccount(knex, {
    username,
    fullName: options.fullName ?? `Test ${options.role} ${username}`,
    email: options.email ?? null,
    role: options.role,
  });
  if (options.password !== undefined) {
    await knex('users')
      .where({ id: row.id })
      .update({ password_hash: await passwordHash(options.password), password_changed_at: new Date() });
  }
  return { id: row.id, username: row.username, role: row.role, fullName: row.full_name };
}

export const makeAdmin = (knex: Knex, options: { username?: string; password?: string } = {}) => makeUser(knex, { ...options, role: 'admin' });
export const makeStaff = (knex: Knex, options: { username?: string; password?: string } = {}) => makeUser(knex, { ...options, role: 'staff' });

/**
 * A bare user row (no profile, no password): for tests of the schema itself, or that need
 * someone to act as before any domain service is involved.
 */
export async function insertActor(knex: Knex, username: string, role: Role): Promise<Actor> {
  const [row] = await knex('users').insert({ username, full_name: username, role }).returning(['id', 'username', 'role']);
  return row as Actor;
}

/** A doctor with the default hours (mon–fri 09:00–17:00) unless `hours` says otherwise. */
export async function makeDoctor(
  knex: Knex,
  options: {
    username?: string;
    fullName?: string;
    password?: string;
    specialty?: string;
    slotMinutes?: number;
    hours?: ReadonlyArray<{ weekday: number; start: string; end: string }>;
  } = {},
): Promise<MadeUser> {
  const user = await makeUser(knex, { ...options, role: 'doctor' });
  await insertDoctorProfile(knex, {
    user_id: user.id,
    specialty: options.specialty ?? null,
    license_number: null,
    slot_minutes: options.slotMinutes ?? DEFAULT_SLOT_MINUTES,
  });
  const hours = options.hours ?? DEFAULT_WEEKLY_HOURS;
  await replaceHours(
    knex,
    user.id,
    [1, 2, 3, 4, 5, 6, 7],
    hours.map((h) => ({ doctor_id: user.id, weekday: h.weekday, start_time: h.start, end_time: h.end })),
  );
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

export interface Clinic {
  admin: MadeUser;
  staff: MadeUser;
  doctor: MadeUser;
  otherDoctor: MadeUser;
  patient: MadeUser;
  otherPatient: MadeUser;
}

/** A small clinic: two doctors (default hours), a patient on the first doctor's panel and one on the other's. */
export async function makeClinic(knex: Knex, timezone = 'Europe/Lisbon'): Promise<Clinic> {
  await upsertSetting(knex, 'timezone', timezone, null);
  const doctor = await makeDoctor(knex);
  const otherDoctor = await makeDoctor(knex);
  return {
    admin: await makeAdmin(knex),
    staff: await makeStaff(knex),
    doctor,
    otherDoctor,
    patient: await makePatient(knex, { doctors: [doctor] }),
    otherPatient: await makePatient(knex, { doctors: [otherDoctor] }),
  };
}

/**
 * An appointment row inserted directly in a given state (no booking rules), for tests of what
 * happens next. Only the database's own constraints apply.
 */
export async function makeAppointment(
  knex: Knex,
  input: { patient: { id: string }; doctor: { id: string }; startsAt: Date | string; minutes?: number; status?: string; reason?: string; id?: string },
): Promise<{ id: string; startsAt: Date }> {
  const startsAt = new Date(input.startsAt);
  const [row] = await knex('appointments')
    .insert({
      ...(input.id === undefined ? {} : { id: input.id }),
      patient_id: input.patient.id,
      doctor_id: input.doctor.id,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + (input.minutes ?? 30) * 60_000),
      status: input.status ?? 'APPROVED',
      ...(input.reason === undefined ? {} : { reason: input.reason }),
    })
    .returning(['id', 'starts_at']);
  return { id: row.id as string, startsAt: row.starts_at as Date };
}

/**
 * makeAppointment one half-hour after another from 2027-02-01 09:00 UTC on (no two rows from one
 * seeder overlap), unless `startsAt` is given.
 */
export function appointmentSeeder(knex: () => Knex, firstStart = Date.parse('2027-02-01T09:00:00Z')) {
  let next = 0;
  return (input: { patient: Actor; doctor: Actor; status: string; startsAt?: Date }): Promise<{ id: string; startsAt: Date }> =>
    makeAppointment(knex(), { ...input, startsAt: input.startsAt ?? new Date(firstStart + next++ * 30 * 60_000) });
}

/** A message row inserted directly (no messaging rules), unread unless `readAt` is given. */
export async function makeMessage(
  knex: Knex,
  input: { sender: { id: string }; receiver: { id: string }; content: string; id?: string; readAt?: Date },
): Promise<{ id: string }> {
  const [row] = await knex('messages')
    .insert({
      ...(input.id === undefined ? {} : { id: input.id }),
      sender_id: input.sender.id,
      receiver_id: input.receiver.id,
      content: input.content,
      ...(input.readAt === undefined ? {} : { read_at: input.readAt }),
    })
    .returning(['id']);
  return { id: row.id as string };
}
