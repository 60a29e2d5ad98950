import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { findAppointmentByExternalId, type AppointmentWithNamesRow } from '../../db/repositories/appointments.js';
import { ConflictError, ValidationError } from '../errors.js';
import { canSeeAppointment, type Actor } from '../policy.js';

/**
 * What makes two bookings "the same request": the resolved parties and the options as given
 * (`--next-available` stays a request for the next slot, so its repeat returns the first answer).
 */
export interface BookingRequest {
  patientId: string;
  doctorId: string;
  date: string | null;
  time: string | null;
  nextAvailable: boolean;
  after: string | null;
  durationMinutes: number;
  reason: string | null;
  approve: boolean;
}

export function checkIdempotencyKey(key: string): string {
  if (key.length === 0 || key.length > 200 || key.trim() !== key) {
    throw new ValidationError('An idempotency key is 1 to 200 characters, without leading or trailing spaces.');
  }
  return key;
}

export function requestFingerprint(request: BookingRequest): string {
  const ordered = Object.keys(request)
    .sort()
    .map((field) => [field, request[field as keyof BookingRequest]]);
  return createHash('sha256').update(JSON.stringify(ordered), 'utf8').digest('hex');
}

/**
 * The appointment an earlier request with this key created, when the request is the same;
 * exit 7 (IDEMPOTENCY_MISMATCH) when the key was used for another one. A row imported with
 * this externalId has no fingerprint: it is the same request when it books the same parties at
 * the same time.
 */
export async function findRepeat(
  db: Knex,
  actor: Actor,
  key: string,
  request: BookingRequest,
  fingerprint: string,
  start: () => Date | null,
): Promise<AppointmentWithNamesRow | undefined> {
  const row = await findAppointmentByExternalId(db, key);
  if (!row) return undefined;
  const visible = canSeeAppointment(actor, { doctorId: row.doctor_id, patientId: row.patient_id });
  if (visible && sameRequest(row, request, fingerprint, start)) return row;
  throw new ConflictError(`The idempotency key "${key}" was already used for a different request${visible ? ` (appointment ${row.id.slice(0, 8)})` : ''}.`, {
    reason: 'IDEMPOTENCY_MISMATCH',
    remedy: 'Use a new key for a new request, or repeat the first request exactly.',
    details: visible ? { appointmentId: row.id } : undefined,
  });
}

function sameRequest(row: AppointmentWithNamesRow, request: BookingRequest, fingerprint: string, start: () => Date | null): boolean {
  if (row.request_fingerprint !== null) return row.request_fingerprint === fingerprint;
  if (row.patient_id !== request.patientId || row.doctor_id !== request.doctorId) return false;
  const startsAt = start();
  if (startsAt === null) return true;
  return row.starts_at.getTime() === startsAt.getTime() && row.ends_at.getTime() - row.starts_at.getTime() === request.durationMinutes * 60_000;
}
