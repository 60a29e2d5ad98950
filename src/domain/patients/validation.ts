import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { emailSchema, fullNameSchema, usernameSchema } from '../users/accounts.js';
import { parseWith } from '../validation.js';
import { dateParts, isCalendarDate } from '../clinic-time.js';

/**
 * The fields of a patient as `patients add`, `patients update` and `patients import` take them,
 * checked without the database. Doctors are named by username or id and resolved when writing.
 */
export interface NewPatientInput {
  username: string;
  fullName: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string | null | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
  doctors?: readonly string[] | undefined;
}

export interface NewPatient {
  username: string;
  fullName: string;
  dateOfBirth: string | null;
  phone: string | null;
  email: string | null;
  /** doctor usernames or ids, without repeats */
  doctors: string[];
}

/** Changes to a patient: undefined leaves a field alone; null or '' clears an optional one. */
export interface PatientChangesInput {
  fullName?: string | undefined;
  dateOfBirth?: string | null | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
}

export type PatientChanges = Partial<Omit<NewPatient, 'username' | 'doctors'>>;

export const EARLIEST_DATE_OF_BIRTH = '1900-01-01';

/** Digits with the usual separators, an optional leading +, and 5 to 20 digits in all. */
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()./-]{5,30}$/, 'a phone number is digits with an optional leading + and spaces, ( ) . / or -')
  .refine((phone) => {
    const digits = phone.replace(/\D/g, '').length;
    return digits >= 5 && digits <= 20;
  }, 'a phone number has 5 to 20 digits');

/** A real calendar date, not in the future (relative to `today`, YYYY-MM-DD) and not before 1900. */
export function parseDateOfBirth(value: string, today: string): string {
  const text = value.trim();
  const parts = dateParts(text);
  if (!parts) throw new ValidationError(`Invalid date of birth: "${value}" is not a date (YYYY-MM-DD).`);
  if (!isCalendarDate(parts)) {
    throw new ValidationError(`Invalid date of birth: ${text} is not a date in the calendar.`);
  }
  if (text > today) throw new ValidationError(`Invalid date of birth: ${text} is in the future.`);
  if (text < EARLIEST_DATE_OF_BIRTH) throw new ValidationError(`Invalid date of birth: ${text} is before ${EARLIEST_DATE_OF_BIRTH}.`);
  return text;
}

function blank(value: string | null | undefined): value is null | undefined {
  return value === null || value === undefined || value.trim() === '';
}

/** `today` is the clinic's date (YYYY-MM-DD), so that a birth date can be checked without a clock. */
export function parseNewPatient(input: NewPatientInput, options: { today: string }): NewPatient {
  return {
    username: parseWith(usernameSchema, input.username, 'username'),
    fullName: parseWith(fullNameSchema, input.fullName, 'name'),
    dateOfBirth: blank(input.dateOfBirth) ? null : parseDateOfBirth(input.dateOfBirth, options.today),
    phone: blank(input.phone) ? null : parseWith(phoneSchema, input.phone, 'phone'),
    email: blank(input.email) ? null : parseWith(emailSchema, input.email, 'email'),
    doctors: [...new Set((input.doctors ?? []).map((ref) => ref.trim().toLowerCase()).filter((ref) => ref !== ''))],
  };
}

export function parsePatientChanges(input: PatientChangesInput, options: { today: string }): PatientChanges {
  const changes: PatientChanges = {};
  if (input.fullName !== undefined) changes.fullName = parseWith(fullNameSchema, input.fullName, 'name');
  if (input.dateOfBirth !== undefined) changes.dateOfBirth = blank(input.dateOfBirth) ? null : parseDateOfBirth(input.dateOfBirth, options.today);
  if (input.phone !== undefined) changes.phone = blank(input.phone) ? null : parseWith(phoneSchema, input.phone, 'phone');
  if (input.email !== undefined) changes.email = blank(input.email) ? null : parseWith(emailSchema, input.email, 'email');
  if (Object.keys(changes).length === 0) {
    throw new ValidationError('Nothing to update.', { remedy: 'Pass at least one of --name, --dob, --phone, --email.' });
  }
  return changes;
}

/**
 * What a patient search term stands for: a date (YYYY-MM-DD) is a date of birth; a phone number
 * (4 or more digits, with nothing else but a leading + and spaces, ( ) . / or -) the end of one, so
 * a number typed without its country code is found; anything else part of a name or username.
 */
export function patientSearchTerm(text: string): { dateOfBirth: string } | { phoneEndsWith: string } | { search: string } {
  const day = dateParts(text);
  if (day && isCalendarDate(day)) return { dateOfBirth: text };
  const digits = text.replace(/\D/g, '');
  if (/^\+?[0-9 ()./-]+$/.test(text) && digits.length >= 4) return { phoneEndsWith: digits };
  return { search: text };
}
