import { Readable } from 'node:stream';
import { DateTime } from 'luxon';
import { insertMessages } from '../../db/repositories/messages.js';
import { insertDoctorHours, insertDoctorProfiles } from '../../db/repositories/doctors.js';
import { insertPanelEntries, insertPatientProfiles } from '../../db/repositories/patients.js';
import { insertNewUsers, userIdsByUsername } from '../../db/repositories/users.js';
import { recordAudit } from '../audit/record.js';
import { loadAppointments } from '../appointments/import.js';
import { formatTimeOfDay, minutesOfDay } from '../clinic-time.js';
import type { DomainContext } from '../context.js';
import { generatePassword } from '../identity/passwords.js';
import type { Role } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { throwIfInterrupted } from '../interruption.js';
import { inTransaction } from '../transaction.js';
import { createAccount } from '../users/accounts.js';
import { FIRST_NAMES, LAST_NAMES, VISIT_REASONS, slug } from './names.js';
import { SeededRandom } from './random.js';

export interface DemoAccount {
  username: string;
  role: Role;
  /** generated at seed time, shown once */
  password: string;
}

export interface DemoSummary {
  doctors: number;
  patients: number;
  appointments: { imported: number; skipped: number; rejected: number };
  messages: number;
  /** the accounts created by this run that can log in; empty when the demo clinic was already there */
  accounts: DemoAccount[];
}

interface DemoDoctor {
  username: string;
  fullName: string;
  specialty: string;
  slotMinutes: number;
  hours: ReadonlyArray<{ weekdays: readonly number[]; start: string; end: string }>;
}

const DEMO_DOCTORS: readonly DemoDoctor[] = [
  {
    username: 'dr.okafor',
    fullName: 'Amara Okafor',
    specialty: 'General practice',
    slotMinutes: 30,
    hours: [{ weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
  },
  {
    username: 'dr.tanaka',
    fullName: 'Kenji Tanaka',
    specialty: 'Cardiology',
    slotMinutes: 20,
    hours: [
      { weekdays: [1, 3, 5], start: '08:00', end: '12:00' },
      { weekdays: [1, 3, 5], start: '13:00', end: '16:00' },
    ],
  },
  { username: 'dr.silva', fullName: 'Beatriz Silva', specialty: 'Dermatology', slotMinutes: 15, hours: [{ weekdays: [2, 4], start: '10:00', end: '18:00' }] },
  {
    username: 'dr.weber',
    fullName: 'Jonas Weber',
    specialty: 'Paediatrics',
    slotMinutes: 30,
    hours: [{ weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '13:00' }],
  },
];

const DEMO_STAFF = { username: 'demo.staff', fullName: 'Front Desk' } as const;
/** These demo accounts get a password (generated now, printed once); the others cannot log in. */
const LOGIN_DOCTOR = 'dr.okafor';
const PATIENT_COUNT = 20;

/**
 * A small clinic to try the tool on: four doctors with their hours, twenty patients on their
 * panels, appointments over the past few and the coming days in every status, a few messages.
 * Added once: a second run finds everything there and adds nothing. Used by `clinic db seed
 * --demo` and `clinic init --demo` (after the admin is created).
 */
export async function seedDemoClinic(ctx: DomainContext, options: { seed?: number } = {}): Promise<DemoSummary> {
  const random = new SeededRandom(options.seed ?? 1);
  const patients = demoPatients(random.fork('patients'));
  const loginPatient = patients[0]!;

  const people = await inTransaction(ctx, async (trx) => {
    const accounts: DemoAccount[] = [];
    const withLogin: ReadonlyArray<{ username: string; fullName: string; role: Role }> = [
      { ...DEMO_STAFF, role: 'staff' },
      { username: LOGIN_DOCTOR, fullName: DEMO_DOCTORS[0]!.fullName, role: 'doctor' },
      { username: loginPatient.username, fullName: loginPatient.fullName, role: 'patient' },
    ];
    const existing = await userIdsByUsername(
      trx,
      withLogin.map((account) => account.username),
    );
    for (const account of withLogin.filter((a) => !existing.has(a.username))) {
      const password = generatePassword();
      await createAccount(trx, { ...account, email: `${account.username}@demo.clinic.example`, password });
      accounts.push({ username: account.username, role: account.role, password });
    }
    const newDoctors = await insertNewUsers(
      trx,
      DEMO_DOCTORS.map((d) => ({ username: d.username, full_name: d.fullName, email: `${d.username}@demo.clinic.example`, role: 'doctor' as const })),
    );
    const newPatients = await insertNewUsers(
      trx,
      patients.map((p) => ({ username: p.username, full_name: p.fullName, email: null, role: 'patient' as const })),
    );
    const createdDoctors = DEMO_DOCTORS.filter((d) => newDoctors.has(d.username) || accounts.some((a) => a.username === d.username));
    const createdPatients = patients.filter((p) => newPatients.has(p.username) || accounts.some((a) => a.username === p.username));
    const ids = await userIdsByUsername(trx, [DEMO_STAFF.username, ...DEMO_DOCTORS.map((d) => d.username), ...patients.map((p) => p.username)]);
    await insertDoctorProfiles(
      trx,
      createdDoctors.map((d) => ({ user_id: ids.get(d.username)!, specialty: d.specialty, license_number: null, slot_minutes: d.slotMinutes })),
    );
    await insertDoctorHours(
      trx,
      createdDoctors.flatMap((d) =>
        d.hours.flatMap((h) => h.weekdays.map((weekday) => ({ doctor_id: ids.get(d.username)!, weekday, start_time: h.start, end_time: h.end }))),
      ),
    );
    await insertPatientProfiles(
      trx,
      createdPatients.map((p) => ({ user_id: ids.get(p.username)!, date_of_birth: p.dateOfBirth, phone: p.phone })),
    );
    await insertPanelEntries(
      trx,
      createdPatients.flatMap((p) => p.doctors.map((doctor) => ({ doctor_id: ids.get(doctor)!, patient_id: ids.get(p.username)! }))),
    );
    let messages = 0;
    if (accounts.some((a) => a.username === LOGIN_DOCTOR)) {
      const doctorId = ids.get(LOGIN_DOCTOR)!;
      const patientId = ids.get(loginPatient.username)!;
      const staffId = ids.get(DEMO_STAFF.username)!;
      messages = await insertMessages(trx, [
        { sender_id: patientId, receiver_id: doctorId, content: 'Hello doctor, could I bring my test results to the next visit?' },
        { sender_id: doctorId, receiver_id: patientId, content: 'Yes, please bring them along. See you then.' },
        { sender_id: staffId, receiver_id: doctorId, content: 'Reminder: the clinic closes early on Friday.' },
      ]);
    }
    if (createdDoctors.length + createdPatients.length + accounts.length > 0) {
      await recordAudit(trx, null, {
        action: 'db.seed',
        details: { demo: true, doctors: createdDoctors.length, patients: createdPatients.length, accounts: accounts.map((a) => a.username) },
      });
    }
    throwIfInterrupted(ctx.signal);
    return { accounts, doctors: createdDoctors.length, patients: createdPatients.length, messages };
  });

  // Today on the clinic's wall clock, and the minute of it now: which of today's visits are over.
  const now = DateTime.fromJSDate(ctx.now(), { zone: await clinicTimeZone(ctx) });
  const today = DateTime.fromISO(now.toISODate()!, { zone: 'UTC' });
  const rows = demoAppointments(random.fork('appointments'), patients, today, now.hour * 60 + now.minute);
  const appointments = await loadAppointments(
    ctx,
    { source: Readable.from(rows.map((row) => `${JSON.stringify(row)}\n`)), format: 'ndjson', skipInvalid: true, sourceName: 'demo clinic' },
    null,
  );
  return { ...people, appointments: { imported: appointments.imported, skipped: appointments.skipped, rejected: appointments.rejected } };
}

interface DemoPatient {
  username: string;
  fullName: string;
  dateOfBirth: string;
  phone: string;
  doctors: string[];
}

function demoPatients(random: SeededRandom): DemoPatient[] {
  const patients: DemoPatient[] = [];
  const taken = new Set<string>();
  while (patients.length < PATIENT_COUNT) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const username = `pt.${slug(first)}.${slug(last)}`;
    if (taken.has(username)) continue;
    taken.add(username);
    const main = DEMO_DOCTORS[patients.length % DEMO_DOCTORS.length]!.username;
    const second = random.next() < 0.3 ? random.pick(DEMO_DOCTORS).username : main;
    patients.push({
      username,
      fullName: `${first} ${last}`,
      // 555-0100 to 555-0199: numbers set aside for fiction, so the demo never names a real line.
      phone: `+1 212 555 01${String(patients.length).padStart(2, '0')}`,
      dateOfBirth: DateTime.utc(1950, 1, 1)
        .plus({ days: random.int(0, 70 * 365) })
        .toISODate()!,
      doctors: [...new Set([main, second])],
    });
  }
  return patients;
}

const PAST_STATUSES = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'NO_SHOW', 'CANCELLED'] as const;
const FUTURE_STATUSES = ['PENDING', 'PENDING', 'APPROVED', 'APPROVED', 'APPROVED', 'CANCELLED', 'REJECTED'] as const;
/** Today's visits that are over: seen, now and then missed. */
const DONE_TODAY = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'NO_SHOW'] as const;
/** Today's visits still to come: mostly confirmed, some waiting for approval. */
const LATER_TODAY = ['APPROVED', 'APPROVED', 'APPROVED', 'PENDING'] as const;

/**
 * Two or three visits per doctor per working day, from three days back to ten days ahead, and three
 * to five today, so the front desk's first `appointments list --today` has a day to show: those
 * over by the clinic's clock are completed (or no-shows), the one under way is checked in, the
 * later ones approved or pending. Today's draws have a generator of their own, so the other days
 * are the same whatever the time of day. A draw that would overlap a visit of the same doctor or
 * patient is drawn again, so the demo's own import has nothing to reject.
 */
function demoAppointments(random: SeededRandom, patients: readonly DemoPatient[], today: DateTime, nowMinute: number) {
  const rows: Array<Record<string, string | number>> = [];
  const todays = random.fork('today');
  for (let offset = -3; offset <= 10; offset++) {
    const draws = offset === 0 ? todays : random;
    const day = today.plus({ days: offset });
    const busy = new Map<string, Array<[number, number]>>();
    const free = (who: string, from: number, to: number) => !(busy.get(who) ?? []).some(([start, end]) => start < to && from < end);
    for (const doctor of DEMO_DOCTORS) {
      const ranges = doctor.hours.filter((h) => h.weekdays.includes(day.weekday));
      const panel = patients.filter((p) => p.doctors.includes(doctor.username));
      if (ranges.length === 0 || panel.length === 0) continue;
      const visits = offset === 0 ? draws.int(3, 5) : draws.int(2, 3);
      for (let v = 0; v < visits; v++) {
        let draw: { minute: number; patient: string } | undefined;
        for (let attempt = 0; attempt < 20 && draw === undefined; attempt++) {
          const range = draws.pick(ranges);
          const startMinute = minutesOfDay(range.start);
          const slots = Math.floor((minutesOfDay(range.end) - startMinute) / doctor.slotMinutes);
          const minute = startMinute + draws.int(0, slots - 1) * doctor.slotMinutes;
          const patient = draws.pick(panel).username;
          const end = minute + doctor.slotMinutes;
          if (free(doctor.username, minute, end) && free(patient, minute, end)) draw = { minute, patient };
        }
        if (draw === undefined) continue;
        const { minute, patient } = draw;
        const end = minute + doctor.slotMinutes;
        for (const who of [doctor.username, patient]) busy.set(who, [...(busy.get(who) ?? []), [minute, end]]);
        let status: string;
        if (offset < 0) status = draws.pick(PAST_STATUSES);
        else if (offset > 0) status = draws.pick(FUTURE_STATUSES);
        else if (end <= nowMinute) status = draws.pick(DONE_TODAY);
        else if (minute <= nowMinute) status = 'CHECKED_IN';
        else status = draws.pick(LATER_TODAY);
        rows.push({
          patient,
          doctor: doctor.username,
          date: day.toISODate()!,
          time: formatTimeOfDay(minute),
          reason: draws.pick(VISIT_REASONS),
          status,
          externalId: `demo-${doctor.username}-${offset}-${v}`,
        });
      }
    }
  }
  return rows;
}
