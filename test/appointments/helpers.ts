import type { Actor } from '../../src/domain/policy.js';
import { runCli, type CliResult } from '../support/cli.js';
import type { TestDatabase } from '../support/database.js';

/** The clock of these tests: Friday 2027-01-01 12:00 UTC. Monday 2027-01-04 is the first working day after. */
export const NOW = new Date('2027-01-01T12:00:00Z');
export const MONDAY = '2027-01-04';
export const TUESDAY = '2027-01-05';

export const APPOINTMENT_FIELDS = [
  'id',
  'patientId',
  'doctorId',
  'patient',
  'doctor',
  'date',
  'timeSlot',
  'startTime',
  'endTime',
  'timeZone',
  'startsAt',
  'endsAt',
  'reason',
  'status',
  'cancelReason',
  'rescheduledFromId',
  'seriesId',
  'createdAt',
  'updatedAt',
].sort();

export interface Appointment {
  id: string;
  patientId: string;
  doctorId: string;
  patient: string;
  doctor: string;
  date: string;
  timeSlot: string;
  startTime: string;
  endTime: string;
  timeZone: string;
  startsAt: string;
  endsAt: string;
  reason: string | null;
  status: string;
  cancelReason: string | null;
  rescheduledFromId: string | null;
  seriesId: string | null;
}

/** Runs `clinic appointments ...` in-process as `actor`, at NOW unless told otherwise. */
export function appointmentsCli(db: () => TestDatabase) {
  return (actor: Actor, args: string[], now: Date = NOW): Promise<CliResult> =>
    runCli(['appointments', ...args], { database: db().database, actor, now: () => now });
}

/** Books through the CLI and returns the appointment; fails the test if the booking fails. */
export function booker(db: () => TestDatabase) {
  const cli = appointmentsCli(db);
  return async (actor: Actor, args: { patient: Actor; doctor: Actor; date: string; time: string; extra?: string[] }): Promise<Appointment> => {
    const result = await cli(actor, [
      'book',
      '--json',
      '--patient',
      args.patient.username,
      '--doctor',
      args.doctor.username,
      '--date',
      args.date,
      '--time',
      args.time,
      ...(args.extra ?? []),
    ]);
    if (result.code !== 0) throw new Error(`booking failed (${result.code}): ${result.stderr}`);
    return result.json<Appointment>();
  };
}

/** Free working-hour slots for reschedule targets: weekdays from 2027-03-01, 09:00–16:30 Lisbon (= UTC in winter). */
export function slotAllocator(firstMonday = '2027-03-01') {
  let next = 0;
  return (): { date: string; time: string } => {
    const index = next++;
    const day = Math.floor(index / 16);
    const week = Math.floor(day / 5);
    const date = new Date(Date.parse(`${firstMonday}T00:00:00Z`) + (week * 7 + (day % 5)) * 86_400_000).toISOString().slice(0, 10);
    const minutes = 9 * 60 + (index % 16) * 30;
    return { date, time: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` };
  };
}
