import { DateTime } from 'luxon';
import { formatTimeOfDay } from '../clinic-time.js';
import { FIRST_NAMES, LAST_NAMES, SPECIALTIES, VISIT_REASONS, slug } from './names.js';
import { SeededRandom } from './random.js';

/**
 * The bulk seed's data, a pure function of the seed (and of "today" for dates). Person number i is
 * drawn from its own generator, so `--doctors 10` after `--doctors 5` keeps the first five.
 */

export interface SeedDoctor {
  username: string;
  fullName: string;
  specialty: string;
  email: string;
}

export interface SeedPatient {
  username: string;
  fullName: string;
  email: string;
  dateOfBirth: string;
  /** index (0-based) of the doctor whose panel the patient is on */
  doctorIndex: number;
}

export interface SeedAppointment {
  patient: string;
  doctor: string;
  date: string;
  time: string;
  reason: string;
  status: 'PENDING' | 'APPROVED';
  externalId: string;
}

export function seedDoctor(seed: number, index: number): SeedDoctor {
  const random = new SeededRandom(seed).fork(`doctor:${index}`);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const username = `dr.${slug(last)}.${index + 1}`;
  return { username, fullName: `${first} ${last}`, specialty: random.pick(SPECIALTIES), email: `${username}@clinic.example` };
}

export function seedPatient(seed: number, index: number, doctors: number): SeedPatient {
  const random = new SeededRandom(seed).fork(`patient:${index}`);
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const username = `pt.${slug(first)}.${slug(last)}.${index + 1}`;
  const birth = DateTime.utc(1940, 1, 1).plus({ days: random.int(0, 80 * 365) });
  return {
    username,
    fullName: `${first} ${last}`,
    email: `${username}@mail.example`,
    dateOfBirth: birth.toISODate()!,
    doctorIndex: doctors === 0 ? 0 : index % doctors,
  };
}

const SLOTS_PER_DAY = 16; // the default hours, 09:00–17:00, in 30-minute slots
const WORKDAYS = 5;

/**
 * Appointment k: doctors take turns over their default grid from the first Monday after `today`
 * (clinic-local), so no doctor is booked twice at once; patient (slot × doctors + doctor) mod
 * patients is never booked twice at once either, as long as there are at least as many patients
 * as doctors.
 */
export function seedAppointment(seed: number, k: number, doctors: readonly string[], patients: readonly string[], today: string): SeedAppointment {
  const random = new SeededRandom(seed).fork(`appointment:${k}`);
  const doctor = k % doctors.length;
  const slot = Math.floor(k / doctors.length);
  const week = Math.floor(slot / (SLOTS_PER_DAY * WORKDAYS));
  const day = Math.floor((slot % (SLOTS_PER_DAY * WORKDAYS)) / SLOTS_PER_DAY);
  const minute = 9 * 60 + (slot % SLOTS_PER_DAY) * 30;
  const start = DateTime.fromISO(today, { zone: 'UTC' });
  const monday = start.plus({ days: 8 - start.weekday });
  return {
    doctor: doctors[doctor]!,
    patient: patients[(slot * doctors.length + doctor) % patients.length]!,
    date: monday.plus({ days: week * 7 + day }).toISODate()!,
    time: formatTimeOfDay(minute),
    reason: random.pick(VISIT_REASONS),
    status: random.next() < 0.7 ? 'PENDING' : 'APPROVED',
    externalId: `seed-${seed}-${k + 1}`,
  };
}
