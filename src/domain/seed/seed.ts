import { Readable } from 'node:stream';
import { insertDoctorHours, insertDoctorProfiles } from '../../db/repositories/doctors.js';
import { insertPanelEntries, insertPatientProfiles } from '../../db/repositories/patients.js';
import { insertNewUsers, userIdsByUsername } from '../../db/repositories/users.js';
import { recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { isProduction } from '../environment.js';
import { DEFAULT_SLOT_MINUTES, DEFAULT_WEEKLY_HOURS } from '../doctors/defaults.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { clinicToday } from '../settings/service.js';
import { throwIfInterrupted } from '../interruption.js';
import { inTransaction } from '../transaction.js';
import { loadAppointments } from '../appointments/import.js';
import type { ImportSummary } from '../import-file.js';
import { seedAppointment, seedDoctor, seedPatient } from './generate.js';
import { seedDemoClinic, type DemoSummary } from './demo.js';

export interface SeedOptions {
  seed: number;
  /** default 5 doctors, 50 patients, 100 appointments; none with `demo` */
  doctors?: number | undefined;
  patients?: number | undefined;
  appointments?: number | undefined;
  demo: boolean;
  force: boolean;
  /** CLINIC_ENV, as the caller read it: `production` refuses without `force`. */
  environment: string | undefined;
}

export interface SeedSummary {
  seed: number;
  doctors: { created: number; existing: number };
  patients: { created: number; existing: number };
  appointments: { imported: number; skipped: number; rejected: number };
  demo: DemoSummary | null;
}

const LIMITS = { doctors: 1_000, patients: 1_000_000, appointments: 10_000_000 } as const;
const DEFAULTS = { doctors: 5, patients: 50, appointments: 100 } as const;

/**
 * `clinic db seed`: test data that is the same for the same seed (and day), added only once —
 * stable usernames and externalIds, existing rows left alone — written in bulk (multi-row
 * inserts, and the import's staged path for appointments). No actor: like the other `db`
 * commands it works on the database itself; it refuses a production environment unless forced,
 * before opening the database when given a way to open it.
 */
export async function seedDatabase(open: DomainContext | (() => Promise<DomainContext>), input: SeedOptions): Promise<SeedSummary> {
  assertSeedAllowed(input);
  const options = {
    ...input,
    doctors: input.doctors ?? (input.demo ? 0 : DEFAULTS.doctors),
    patients: input.patients ?? (input.demo ? 0 : DEFAULTS.patients),
    appointments: input.appointments ?? (input.demo ? 0 : DEFAULTS.appointments),
  };
  for (const key of ['doctors', 'patients', 'appointments'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0 || value > LIMITS[key]) throw new ValidationError(`--${key} must be a whole number from 0 to ${LIMITS[key]}.`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)
    throw new ValidationError('--seed must be a whole number from 0 to 4294967295.');
  if (options.appointments > 0 && (options.doctors === 0 || options.patients === 0)) {
    throw new ValidationError('Appointments need doctors and patients: give --doctors and --patients too.');
  }

  // The database is opened only once seeding is allowed and the input is sound.
  const ctx = typeof open === 'function' ? await open() : open;
  const demo = options.demo ? await seedDemoClinic(ctx, { seed: options.seed }) : null;
  const doctors = Array.from({ length: options.doctors }, (_, i) => seedDoctor(options.seed, i));
  const patients = Array.from({ length: options.patients }, (_, i) => seedPatient(options.seed, i, options.doctors));
  const created = await inTransaction(ctx, async (trx) => {
    const newDoctors = await insertNewUsers(
      trx,
      doctors.map((d) => ({ username: d.username, full_name: d.fullName, email: d.email, role: 'doctor' as const })),
    );
    const newPatients = await insertNewUsers(
      trx,
      patients.map((p) => ({ username: p.username, full_name: p.fullName, email: p.email, role: 'patient' as const })),
    );
    const ids = await userIdsByUsername(trx, [...doctors.map((d) => d.username), ...patients.map((p) => p.username)]);
    const freshDoctors = doctors.filter((d) => newDoctors.has(d.username));
    await insertDoctorProfiles(
      trx,
      freshDoctors.map((d) => ({ user_id: ids.get(d.username)!, specialty: d.specialty, license_number: null, slot_minutes: DEFAULT_SLOT_MINUTES })),
    );
    await insertDoctorHours(
      trx,
      freshDoctors.flatMap((d) =>
        DEFAULT_WEEKLY_HOURS.map((h) => ({ doctor_id: ids.get(d.username)!, weekday: h.weekday, start_time: h.start, end_time: h.end })),
      ),
    );
    const freshPatients = patients.filter((p) => newPatients.has(p.username));
    await insertPatientProfiles(
      trx,
      freshPatients.map((p) => ({ user_id: ids.get(p.username)!, date_of_birth: p.dateOfBirth, phone: null })),
    );
    await insertPanelEntries(
      trx,
      freshPatients.map((p) => ({ doctor_id: ids.get(doctors[p.doctorIndex]!.username)!, patient_id: ids.get(p.username)! })),
    );
    if (newDoctors.size + newPatients.size > 0) {
      await recordAudit(trx, null, { action: 'db.seed', details: { seed: options.seed, doctors: newDoctors.size, patients: newPatients.size } });
    }
    throwIfInterrupted(ctx.signal);
    return { doctors: newDoctors.size, patients: newPatients.size };
  });

  let appointments: ImportSummary = { imported: 0, skipped: 0, rejected: 0, dryRun: false };
  if (options.appointments > 0) {
    const today = await clinicToday(ctx);
    const doctorNames = doctors.map((d) => d.username);
    const patientNames = patients.map((p) => p.username);
    const rows = (function* () {
      for (let k = 0; k < options.appointments; k++) yield `${JSON.stringify(seedAppointment(options.seed, k, doctorNames, patientNames, today))}\n`;
    })();
    appointments = await loadAppointments(
      ctx,
      { source: Readable.from(rows), format: 'ndjson', skipInvalid: true, sourceName: `clinic db seed --seed ${options.seed}` },
      null,
    );
  }

  return {
    seed: options.seed,
    doctors: { created: created.doctors, existing: options.doctors - created.doctors },
    patients: { created: created.patients, existing: options.patients - created.patients },
    appointments: { imported: appointments.imported, skipped: appointments.skipped, rejected: appointments.rejected },
    demo,
  };
}

export function assertSeedAllowed(options: { force: boolean; environment: string | undefined }): void {
  if (isProduction(options.environment) && !options.force) {
    throw new ForbiddenError('Refusing to seed: CLINIC_ENV is "production".', {
      remedy: 'Seed a development or test database instead, or add --force if you really mean to add test data to production.',
    });
  }
}
