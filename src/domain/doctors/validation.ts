import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { emailSchema, fullNameSchema, usernameSchema } from '../users/accounts.js';
import { parseWith } from '../validation.js';
import { DEFAULT_SLOT_MINUTES } from './defaults.js';

/**
 * The fields of a doctor as `doctors add`, `doctors update` and `doctors import` take them,
 * checked without the database. Uniqueness (username, licence) is checked when writing.
 */
export interface NewDoctorInput {
  username: string;
  fullName: string;
  specialty?: string | null | undefined;
  licenseNumber?: string | null | undefined;
  /** a number, or its text as typed (CLI flag, CSV cell); absent: DEFAULT_SLOT_MINUTES */
  slotMinutes?: number | string | null | undefined;
  email?: string | null | undefined;
}

export interface NewDoctor {
  username: string;
  fullName: string;
  specialty: string | null;
  licenseNumber: string | null;
  slotMinutes: number;
  email: string | null;
}

/** Changes to a doctor: undefined leaves a field alone; null or '' clears an optional one. */
export interface DoctorChangesInput {
  fullName?: string | undefined;
  specialty?: string | null | undefined;
  licenseNumber?: string | null | undefined;
  slotMinutes?: number | string | undefined;
  email?: string | null | undefined;
}

export type DoctorChanges = Partial<Omit<NewDoctor, 'username'>>;

export const MIN_SLOT_MINUTES = 5;
export const MAX_SLOT_MINUTES = 480;

/** 5 to 480 minutes, in steps of 5, so that every slot starts on a 5-minute mark. */
export const slotMinutesSchema = z.coerce
  .number({ error: 'slot minutes must be a whole number' })
  .int('slot minutes must be a whole number')
  .min(MIN_SLOT_MINUTES, `slot minutes must be from ${MIN_SLOT_MINUTES} to ${MAX_SLOT_MINUTES}`)
  .max(MAX_SLOT_MINUTES, `slot minutes must be from ${MIN_SLOT_MINUTES} to ${MAX_SLOT_MINUTES}`)
  .refine((minutes) => minutes % 5 === 0, 'slot minutes must be a multiple of 5 (e.g. 10, 15, 20, 30, 45, 60)');

export const specialtySchema = z.string().trim().max(100, 'a specialty is at most 100 characters');

export const licenseNumberSchema = z
  .string()
  .trim()
  .max(50, 'a licence number is at most 50 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]*$/, 'a licence number is letters, digits, spaces, ".", "/" or "-"');

/** Empty text means "none". */
function optional<T>(schema: z.ZodType<T>, value: string | null | undefined, field: string): T | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return parseWith(schema, value, field);
}

export function parseSlotMinutes(value: number | string): number {
  if (typeof value === 'string' && value.trim() === '') throw new ValidationError('Invalid slot minutes: no value given.');
  return parseWith(slotMinutesSchema, typeof value === 'string' ? value.trim() : value, 'slot minutes');
}

export function parseNewDoctor(input: NewDoctorInput): NewDoctor {
  return {
    username: parseWith(usernameSchema, input.username, 'username'),
    fullName: parseWith(fullNameSchema, input.fullName, 'name'),
    specialty: optional(specialtySchema, input.specialty, 'specialty'),
    licenseNumber: optional(licenseNumberSchema, input.licenseNumber, 'licence number'),
    slotMinutes:
      input.slotMinutes === null || input.slotMinutes === undefined || input.slotMinutes === '' ? DEFAULT_SLOT_MINUTES : parseSlotMinutes(input.slotMinutes),
    email: optional(emailSchema, input.email, 'email'),
  };
}

export function parseDoctorChanges(input: DoctorChangesInput): DoctorChanges {
  const changes: DoctorChanges = {};
  if (input.fullName !== undefined) changes.fullName = parseWith(fullNameSchema, input.fullName, 'name');
  if (input.specialty !== undefined) changes.specialty = optional(specialtySchema, input.specialty, 'specialty');
  if (input.licenseNumber !== undefined) changes.licenseNumber = optional(licenseNumberSchema, input.licenseNumber, 'licence number');
  if (input.slotMinutes !== undefined) changes.slotMinutes = parseSlotMinutes(input.slotMinutes);
  if (input.email !== undefined) changes.email = optional(emailSchema, input.email, 'email');
  if (Object.keys(changes).length === 0) {
    throw new ValidationError('Nothing to update.', { remedy: 'Pass at least one of --name, --specialty, --license, --slot-minutes, --email.' });
  }
  return changes;
}
