import type { CliContext } from './context.js';
import type { PromptChoice } from './prompter.js';
import type { RequiredValue } from './prompting.js';
import type { AccountCreation } from '../domain/users/accounts.js';
import type { DomainContext } from '../domain/context.js';

/**
 * The required values several verbs ask for, each checked by the rule the domain applies to the
 * flag (loaded when first used), and the lists people are picked from, read within what the
 * actor may see.
 */

/** How many matches a search shows: a big clinic is searched, not listed. */
const MATCHES = 10;

export const username: RequiredValue = {
  check: async (value) => {
    const [{ parseWith }, { usernameSchema }] = await Promise.all([import('../domain/validation.js'), import('../domain/users/accounts.js')]);
    return parseWith(usernameSchema, value, 'username');
  },
};

/** The username of an account being created: its format, and (read briefly) that nobody has it, before the other questions. */
export function newUsername(ctx: CliContext, creating: AccountCreation): RequiredValue {
  return {
    check: async (value) => {
      const { checkNewUsername } = await import('../domain/users/accounts.js');
      return ctx.briefly((domain) => checkNewUsername(domain, { username: value, creating }));
    },
  };
}

export const fullName: RequiredValue = {
  check: async (value) => {
    const [{ parseWith }, { fullNameSchema }] = await Promise.all([import('../domain/validation.js'), import('../domain/users/accounts.js')]);
    return parseWith(fullNameSchema, value, 'name');
  },
};

/** What every account-creating command asks for: a free username and the full name. */
export function newAccount(ctx: CliContext, creating: AccountCreation) {
  return { username: newUsername(ctx, creating), name: fullName };
}

/** Contact details and a birth date as given to add: their format (the future check of a birth date needs the clinic's day, and comes with the rest). */
export const contactDetails: Readonly<Record<string, NonNullable<RequiredValue['check']>>> = {
  dob: async (value) => value.trim() === '' || (await import('../domain/patients/validation.js')).parseDateOfBirth(value, '9999-12-31'),
  phone: async (value) => {
    const [{ parseWith }, { phoneSchema }] = await Promise.all([import('../domain/validation.js'), import('../domain/patients/validation.js')]);
    return value.trim() === '' || parseWith(phoneSchema, value, 'phone');
  },
  email: async (value) => {
    const [{ parseWith }, { emailSchema }] = await Promise.all([import('../domain/validation.js'), import('../domain/users/accounts.js')]);
    return value.trim() === '' || parseWith(emailSchema, value, 'email');
  },
};

export const clinicDate: RequiredValue = {
  check: async (value) => (await import('../domain/clinic-time.js')).parseClinicDate(value),
};

export const clinicTime: RequiredValue = {
  check: async (value) => (await import('../domain/clinic-time.js')).parseClinicTime(value),
};

/**
 * The day of a booking asked with its doctor known: a day with no free start is asked again, saying
 * so, rather than taking a time that the booking would then refuse after the last answer.
 */
export function bookingDate(ctx: CliContext): RequiredValue {
  return dayWithFreeStarts(async (date, { doctor }) => {
    if (typeof doctor !== 'string') return undefined;
    const { listFreeSlots } = await import('../domain/appointments/queries.js');
    const slots = await ctx.briefly((domain) => listFreeSlots(domain, { doctor, date }));
    return { slots, whose: doctor, more: `clinic appointments slots --doctor ${doctor} --date ${date} --days 7` };
  });
}

/** The new day of a reschedule asked: one with a free start for the appointment (its doctor, patient and length). */
export function rescheduleDate(ctx: CliContext, appointment: string): RequiredValue {
  return dayWithFreeStarts(async (date) => {
    const { rescheduleSlots } = await import('../domain/appointments/transitions.js');
    const slots = await ctx.briefly((domain) => rescheduleSlots(domain, { appointment, date }));
    return { slots, whose: 'this appointment' };
  });
}

function dayWithFreeStarts(
  freeStarts: (date: string, values: Readonly<Record<string, unknown>>) => Promise<{ slots: readonly unknown[]; whose: string; more?: string } | undefined>,
): RequiredValue {
  return {
    check: async (value, values) => {
      const { parseClinicDate } = await import('../domain/clinic-time.js');
      parseClinicDate(value);
      const found = await freeStarts(value, values);
      if (found === undefined || found.slots.length > 0) return;
      const weekday = new Date(`${value}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
      const { ValidationError } = await import('../domain/errors.js');
      throw new ValidationError(`No free start for ${found.whose} on ${weekday} ${value} (a past day, outside working hours or time-off, or fully booked).`, {
        remedy: `Give another day${found.more ? `; \`${found.more}\` lists the free ones` : ''}.`,
      });
    },
  };
}

/**
 * A start time on a day with a doctor (`date` and `doctor` among the values known): picked from
 * the doctor's free slots that day, or typed when there are none to offer.
 */
export function freeSlotTime(ctx: CliContext): RequiredValue {
  return {
    ...clinicTime,
    choices: async ({ doctor, date }) => {
      if (typeof doctor !== 'string' || typeof date !== 'string') return undefined;
      const slots = await ctx.briefly(async (domain) => (await import('../domain/appointments/queries.js')).listFreeSlots(domain, { doctor, date }));
      return slots.map((slot) => ({ value: slot.time, name: slot.timeSlot }));
    },
  };
}

/** The time of a reschedule: picked from the free starts of that day for the appointment (its doctor, patient and length). */
export function rescheduleSlotTime(ctx: CliContext, appointment: string): RequiredValue {
  return {
    ...clinicTime,
    choices: async ({ date }) => {
      if (typeof date !== 'string') return undefined;
      const slots = await ctx.briefly(async (domain) => (await import('../domain/appointments/transitions.js')).rescheduleSlots(domain, { appointment, date }));
      return slots.map((slot) => ({ value: slot.time, name: slot.timeSlot }));
    },
  };
}

/** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`: its form here; whether the time exists in the clinic's zone is the domain's to say. */
export function clinicMoment(field: string): RequiredValue {
  return {
    check: async (value) => (await import('../domain/clinic-time.js')).parseClinicDateTime(value, 'UTC', 'start', field),
  };
}

/** The doctors whose username or name holds the term (doctors are known to everyone). */
export function doctorSearch(ctx: CliContext): RequiredValue {
  return {
    search: (term, signal) =>
      ctx.briefly(async (domain) => {
        if (signal.aborted) return [];
        const { listDoctors } = await import('../domain/doctors/service.js');
        const folded = fold(term);
        const [doctors, { terminalSafe }] = await Promise.all([listDoctors(domain), import('./output.js')]);
        const matches = doctors.filter((doctor) => fold(`${doctor.username} ${doctor.fullName}`).includes(folded));
        return withMore(
          matches.slice(0, MATCHES).map((doctor) => person(doctor, doctor.specialty, terminalSafe)),
          matches.length,
        );
      }),
  };
}

/** The patients the actor may see whose username or name holds the term (the search of `patients list`). */
export function patientSearch(ctx: CliContext): RequiredValue {
  return pagedSearch(
    ctx,
    async (domain, search) => (await import('../domain/patients/service.js')).listPatients(domain, { search, limit: MATCHES }),
    (patient) => (patient.dateOfBirth === null ? null : `born ${patient.dateOfBirth}`),
  );
}

/** Whom the actor may write to, among those whose username or name holds the term (the domain's findReceivers). */
export function receiverSearch(ctx: CliContext): RequiredValue {
  return pagedSearch(
    ctx,
    async (domain, search) => (await import('../domain/messages/service.js')).findReceivers(domain, { search, limit: MATCHES }),
    (receiver) => receiver.role,
  );
}

/** A search answered by a domain function that returns a page of people (at most MATCHES, with how many match), read briefly. */
function pagedSearch<P extends { username: string; fullName: string }>(
  ctx: CliContext,
  find: (domain: DomainContext, search: string | undefined) => Promise<{ items: P[]; total: number }>,
  detail: (item: P) => string | null,
): RequiredValue {
  return {
    search: (term, signal) =>
      ctx.briefly(async (domain) => {
        if (signal.aborted) return [];
        const [{ items, total }, { terminalSafe }] = await Promise.all([find(domain, term === '' ? undefined : term), import('./output.js')]);
        return withMore(
          items.map((item) => person(item, detail(item), terminalSafe)),
          total,
        );
      }),
  };
}

/** Every IANA time zone whose name holds the term; the system's first, so that Enter takes it. */
export const timeZone: RequiredValue = {
  search: async (term) => {
    const { knownTimeZones, systemTimeZone } = await import('../domain/clinic-time.js');
    const system = systemTimeZone();
    const folded = fold(term).replace(/ /g, '_');
    const zones = [system, ...knownTimeZones().filter((zone) => zone !== system)];
    return zones
      .filter((zone) => fold(zone).includes(folded))
      .map((zone) => ({ value: zone, name: zone, ...(zone === system ? { description: "this system's time zone" } : {}) }));
  },
};

/**
 * The matches, at most a screen of them (MATCHES lines); when there are more, the last line says
 * how many (not pickable): typing more of the name narrows them.
 */
function withMore(matches: PromptChoice[], total: number): PromptChoice[] {
  if (total <= MATCHES) return matches;
  const shown = matches.slice(0, MATCHES - 1);
  return [...shown, { value: '', name: `… ${total - shown.length} more: type more of the name`, disabled: ' ' }];
}

/** A person as a list shows them (names are typed by people: made safe for the terminal). */
function person(account: { username: string; fullName: string }, detail: string | null, safe: (text: string) => string): PromptChoice {
  return { value: account.username, name: safe(`${account.username}  ${account.fullName}${detail ? `  (${detail})` : ''}`) };
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
