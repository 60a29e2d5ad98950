import type { Knex } from 'knex';
import {
  findDoctorByLicense,
  findDoctorByRef,
  findHours,
  deleteTimeoff,
  findTimeoff,
  findTimeoffByIdPrefix,
  insertDoctorProfile,
  insertTimeoff,
  listDoctors as listDoctorRows,
  replaceHours,
  updateDoctorProfile,
  type DoctorRow,
} from '../../db/repositories/doctors.js';
import { updateUser } from '../../db/repositories/users.js';
import { constraintName, sqlState, SqlState } from '../../db/pg-errors.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { ConflictError, ValidationError } from '../errors.js';
import { noSuch, resolveById } from '../references.js';
import { requireActor, type Actor } from '../policy.js';
import { clinicTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { createAccount } from '../users/accounts.js';
import { formatTimeOfDay, parseClinicDateTime } from '../clinic-time.js';
import { DEFAULT_WEEKLY_HOURS } from './defaults.js';
import { formatDays, formatRanges, parseDays, parseRanges, weekFromRows, type DayHours } from './hours.js';
import { parseDoctorChanges, parseNewDoctor, type DoctorChangesInput, type NewDoctor, type NewDoctorInput } from './validation.js';
import { doctorView, timeoffView, type DoctorDetails, type DoctorView, type TimeoffView } from './view.js';

export type AddDoctorInput = NewDoctorInput & { password?: string | undefined };

/** `doctors add`: validates, checks the role, and writes the account, profile and default hours in one transaction. */
export async function addDoctor(ctx: DomainContext, input: AddDoctorInput): Promise<DoctorDetails> {
  const doctor = parseNewDoctor(input);
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'doctors.manage', {}, { entity: 'doctor' });
  return inTransaction(ctx, async (trx) => {
    const row = await createDoctor(trx, actor, doctor, { password: input.password });
    return detailsOf(trx, row);
  });
}

/**
 * Writes one doctor inside the caller's transaction: the user (role doctor), the profile, the
 * default week (DEFAULT_WEEKLY_HOURS) and the audit row. For `doctors add` and bulk imports, which
 * parse with parseNewDoctor and authorize once. Throws ConflictError for a taken username or licence.
 */
export async function createDoctor(trx: Knex, actor: Actor, doctor: NewDoctor, options: { password?: string | undefined } = {}): Promise<DoctorRow> {
  await assertLicenseFree(trx, doctor.licenseNumber);
  const user = await createAccount(trx, {
    username: doctor.username,
    fullName: doctor.fullName,
    email: doctor.email,
    role: 'doctor',
    password: options.password,
  });
  await withLicenseConflict(doctor.licenseNumber, () =>
    insertDoctorProfile(trx, { user_id: user.id, specialty: doctor.specialty, license_number: doctor.licenseNumber, slot_minutes: doctor.slotMinutes }),
  );
  await replaceHours(
    trx,
    user.id,
    [1, 2, 3, 4, 5, 6, 7],
    DEFAULT_WEEKLY_HOURS.map((hours) => ({ doctor_id: user.id, weekday: hours.weekday, start_time: hours.start, end_time: hours.end })),
  );
  await recordAudit(trx, actor, {
    action: 'doctors.add',
    entity: 'doctor',
    entityId: user.id,
    details: { username: user.username, hasPassword: options.password !== undefined },
  });
  return (await findDoctorByRef(trx, user.id))!;
}

export async function listDoctors(ctx: DomainContext, filter: { specialty?: string | undefined } = {}): Promise<DoctorView[]> {
  requireActor(ctx.actor);
  const specialty = filter.specialty?.trim();
  return (await listDoctorRows(ctx.db, specialty ? { specialty } : {})).map(doctorView);
}

export async function showDoctor(ctx: DomainContext, ref: string): Promise<DoctorDetails> {
  requireActor(ctx.actor);
  return detailsOf(ctx.db, await requireDoctor(ctx.db, ref));
}

export async function updateDoctor(ctx: DomainContext, ref: string, input: DoctorChangesInput): Promise<DoctorDetails> {
  const changes = parseDoctorChanges(input);
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'doctors.manage', {}, { entity: 'doctor' });
  const doctor = await requireDoctor(ctx.db, ref);
  return inTransaction(ctx, async (trx) => {
    if (changes.licenseNumber && changes.licenseNumber !== doctor.license_number) await assertLicenseFree(trx, changes.licenseNumber);
    // Always through users, so that updatedAt moves with any change to the record.
    await updateUser(trx, doctor.id, {
      ...(changes.fullName !== undefined ? { full_name: changes.fullName } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
    });
    await withLicenseConflict(changes.licenseNumber ?? null, () =>
      updateDoctorProfile(trx, doctor.id, {
        ...(changes.specialty !== undefined ? { specialty: changes.specialty } : {}),
        ...(changes.licenseNumber !== undefined ? { license_number: changes.licenseNumber } : {}),
        ...(changes.slotMinutes !== undefined ? { slot_minutes: changes.slotMinutes } : {}),
      }),
    );
    await recordAudit(trx, actor, { action: 'doctors.update', entity: 'doctor', entityId: doctor.id, details: { fields: Object.keys(changes) } });
    return detailsOf(trx, (await findDoctorByRef(trx, doctor.id))!);
  });
}

/** `doctors hours set D DAYS RANGES`: replaces the ranges of those days only. */
export async function setDoctorHours(ctx: DomainContext, ref: string, input: { days: string; ranges: string }): Promise<DayHours[]> {
  const weekdays = parseDays(input.days);
  const ranges = parseRanges(input.ranges);
  const actor = requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, ref);
  await authorize(ctx, actor, 'doctors.schedule', { doctorId: doctor.id }, { entity: 'doctor', entityId: doctor.id });
  return inTransaction(ctx, async (trx) => {
    const rows = weekdays.flatMap((weekday) =>
      ranges.map((range) => ({ doctor_id: doctor.id, weekday, start_time: formatTimeOfDay(range.start), end_time: formatTimeOfDay(range.end) })),
    );
    await replaceHours(trx, doctor.id, weekdays, rows);
    await recordAudit(trx, actor, {
      action: 'doctors.hours.set',
      entity: 'doctor',
      entityId: doctor.id,
      details: { days: formatDays(weekdays), ranges: formatRanges(ranges) },
    });
    return weekFromRows(await findHours(trx, doctor.id));
  });
}

export async function showDoctorHours(ctx: DomainContext, ref: string): Promise<DayHours[]> {
  requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, ref);
  return weekFromRows(await findHours(ctx.db, doctor.id));
}

export interface TimeoffInput {
  /** YYYY-MM-DD or YYYY-MM-DDTHH:MM in the clinic time zone; a date alone starts at 00:00 */
  from: string;
  /** the same; a date alone ends at 24:00 of that day */
  to: string;
  reason?: string | undefined;
}

export async function addTimeoff(ctx: DomainContext, ref: string, input: TimeoffInput): Promise<TimeoffView> {
  const zone = await clinicTimeZone(ctx);
  const startsAt = parseClinicDateTime(input.from, zone, 'start', '--from');
  const endsAt = parseClinicDateTime(input.to, zone, 'end', '--to');
  if (endsAt <= startsAt) throw new ValidationError(`The time off ends (${input.to}) before it starts (${input.from}).`);
  const reason = input.reason?.trim() || null;
  if (reason !== null && reason.length > 500) throw new ValidationError('The reason is at most 500 characters.');
  const actor = requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, ref);
  await authorize(ctx, actor, 'doctors.schedule', { doctorId: doctor.id }, { entity: 'doctor', entityId: doctor.id });
  return inTransaction(ctx, async (trx) => {
    const row = await insertTimeoff(trx, { doctor_id: doctor.id, starts_at: startsAt, ends_at: endsAt, reason, created_by: actor.id });
    await recordAudit(trx, actor, {
      action: 'doctors.timeoff.add',
      entity: 'doctor_timeoff',
      entityId: row.id,
      details: { doctorId: doctor.id, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() },
    });
    return timeoffView(row, doctor.username);
  });
}

/** Time off, with its reasons, is for clinic staff and the doctor themselves. */
export async function listTimeoff(ctx: DomainContext, ref: string): Promise<TimeoffView[]> {
  const actor = requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, ref);
  await authorize(ctx, actor, 'doctors.schedule', { doctorId: doctor.id }, { entity: 'doctor', entityId: doctor.id });
  return (await findTimeoff(ctx.db, doctor.id)).map((row) => timeoffView(row, doctor.username));
}

/**
 * `doctors timeoff remove D ID`: the time off named by its id (or 8+ characters of it) among that
 * doctor's, by whoever may add it (DESIGN §6), audited with the period it freed.
 */
export async function removeTimeoff(ctx: DomainContext, ref: string, timeoffRef: string): Promise<TimeoffView> {
  const actor = requireActor(ctx.actor);
  const doctor = await requireDoctor(ctx.db, ref);
  await authorize(ctx, actor, 'doctors.schedule', { doctorId: doctor.id }, { entity: 'doctor', entityId: doctor.id });
  return inTransaction(ctx, async (trx) => {
    const row = await resolveById({ ...ctx, db: trx }, actor, timeoffRef, {
      kind: 'timeoff',
      action: 'doctors.timeoff.remove',
      find: (prefix, _reach, limit) => findTimeoffByIdPrefix(trx, doctor.id, prefix, limit),
      audited: (found) => ({ id: found.id }),
    });
    await deleteTimeoff(trx, row.id);
    await recordAudit(trx, actor, {
      action: 'doctors.timeoff.remove',
      entity: 'doctor_timeoff',
      entityId: row.id,
      details: { doctorId: doctor.id, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString() },
    });
    return timeoffView(row, doctor.username);
  });
}

/** The doctor named by username or id. Doctors are public: an unknown one is simply not found. */
export async function requireDoctor(db: Knex, ref: string): Promise<DoctorRow> {
  const doctor = await findDoctorByRef(db, ref.trim());
  if (!doctor) throw noSuch('doctor', ref);
  return doctor;
}

async function detailsOf(db: Knex, row: DoctorRow): Promise<DoctorDetails> {
  return { ...doctorView(row), hours: weekFromRows(await findHours(db, row.id)) };
}

function licenseTaken(license: string): ConflictError {
  return new ConflictError(`The licence number "${license}" belongs to another doctor.`, {
    remedy: 'Check the number, or run `clinic doctors list`.',
    reason: 'ALREADY_EXISTS',
  });
}

async function assertLicenseFree(db: Knex, license: string | null): Promise<void> {
  if (license && (await findDoctorByLicense(db, license))) throw licenseTaken(license);
}

/** A concurrent insert can still win the race: the unique index then says so. */
async function withLicenseConflict(license: string | null, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (license && sqlState(error) === SqlState.uniqueViolation && constraintName(error)?.includes('license')) throw licenseTaken(license);
    throw error;
  }
}
