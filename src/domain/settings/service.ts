import { z } from 'zod';
import type { DomainContext } from '../context.js';
import { DateTime } from 'luxon';
import { ConflictError, ValidationError } from '../errors.js';
import { requireActor } from '../policy.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { parseWith } from '../validation.js';
import { clinicDate, formatClinicDateTime, isValidTimeZone, systemTimeZone } from '../clinic-time.js';
import { findAllSettings, findSetting, upsertSetting } from '../../db/repositories/settings.js';
import { findFutureActiveTimes } from '../../db/repositories/appointments.js';
import { findAllHours, listDoctors } from '../../db/repositories/doctors.js';
import { checkWorkingHours, type WorkingRange } from '../appointments/rules.js';
import { MAX_SESSION_ABSOLUTE_HOURS } from './limits.js';

export interface ClinicSettings {
  timezone: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** How long the embedded database's server waits without a connection before it stops. */
  serverIdleMinutes: number;
  /** the FHIR identifier system of outside ids (externalId, idempotency keys): the clinic's own URL */
  fhirIdentifierSystem: string;
}

export const SETTING_DEFAULTS: Omit<ClinicSettings, 'timezone'> = {
  sessionIdleMinutes: 60,
  sessionAbsoluteHours: 12,
  serverIdleMinutes: 10,
  fhirIdentifierSystem: 'urn:clinic:external-id',
};

/** The keys as users type them (`clinic settings set session-idle-minutes 30`) and their checks. */
const SETTING_KEYS = {
  timezone: {
    field: 'timezone',
    parse: (value: string) => {
      if (!isValidTimeZone(value)) {
        throw new ValidationError(`Unknown time zone "${value}".`, { remedy: 'Use an IANA name such as Europe/Lisbon or America/New_York.' });
      }
      return value;
    },
  },
  'session-idle-minutes': { field: 'sessionIdleMinutes', parse: integerIn('session-idle-minutes', 1, 24 * 60) },
  'session-absolute-hours': { field: 'sessionAbsoluteHours', parse: integerIn('session-absolute-hours', 1, MAX_SESSION_ABSOLUTE_HOURS) },
  'server-idle-minutes': { field: 'serverIdleMinutes', parse: integerIn('server-idle-minutes', 1, 24 * 60) },
  'fhir-identifier-system': {
    field: 'fhirIdentifierSystem',
    parse: (value: string) => {
      if (value.length > 255 || !/^(https?:\/\/[^\s/]+(\/\S*)?|urn:[a-z0-9][a-z0-9-]*:\S+)$/i.test(value)) {
        throw new ValidationError(`fhir-identifier-system must be an absolute http(s) URL or a URN, not "${value}".`, {
          remedy: 'Use a URL the clinic owns, e.g. https://clinic.example/fhir/external-id.',
        });
      }
      return value;
    },
  },
} as const satisfies Record<string, { field: keyof ClinicSettings; parse: (value: string) => string | number }>;

export type SettingKey = keyof typeof SETTING_KEYS;
export const SETTING_KEY_NAMES = Object.keys(SETTING_KEYS) as SettingKey[];

function integerIn(name: string, min: number, max: number) {
  const problem = `a whole number from ${min} to ${max}`;
  // Built on first use: this module loads with every command that needs the clinic's time zone.
  const build = () =>
    z
      .string()
      .trim()
      .regex(/^\d{1,9}$/, problem)
      .transform(Number)
      .pipe(z.number().min(min, problem).max(max, problem));
  let schema: ReturnType<typeof build> | undefined;
  return (value: string) => parseWith((schema ??= build()), value, name);
}

/** The clinic's settings with defaults filled in; readable without a login (commands need the time zone). */
export async function loadSettings(ctx: Pick<DomainContext, 'db'>): Promise<ClinicSettings> {
  return settingsFromRows(await findAllSettings(ctx.db));
}

/** Stored rows (key, value) as settings, defaults filled in. */
export function settingsFromRows(rows: ReadonlyArray<{ key: string; value: string }>): ClinicSettings {
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  return {
    timezone: stored.get('timezone') ?? systemTimeZone(),
    sessionIdleMinutes: Number(stored.get('sessionIdleMinutes') ?? SETTING_DEFAULTS.sessionIdleMinutes),
    sessionAbsoluteHours: Number(stored.get('sessionAbsoluteHours') ?? SETTING_DEFAULTS.sessionAbsoluteHours),
    serverIdleMinutes: Number(stored.get('serverIdleMinutes') ?? SETTING_DEFAULTS.serverIdleMinutes),
    fhirIdentifierSystem: stored.get('fhirIdentifierSystem') ?? SETTING_DEFAULTS.fhirIdentifierSystem,
  };
}

export async function clinicTimeZone(ctx: Pick<DomainContext, 'db' | 'settings'>): Promise<string> {
  // Read with the session when the command logged in: one round trip fewer.
  if (ctx.settings) return ctx.settings.timezone;
  return (await findSetting(ctx.db, 'timezone')) ?? systemTimeZone();
}

/** The clinic's date today (YYYY-MM-DD), on its wall clock. */
export async function clinicToday(ctx: Pick<DomainContext, 'db' | 'now'>): Promise<string> {
  return clinicDate(ctx.now(), await clinicTimeZone(ctx));
}

/** A formatter of moments on the clinic's wall clock, for rendering lists. */
export async function clinicWallClock(ctx: Pick<DomainContext, 'db'>): Promise<(moment: Date, bound?: 'start' | 'end') => string> {
  const zone = await clinicTimeZone(ctx);
  return (moment, bound) => formatClinicDateTime(moment, zone, bound);
}

export async function showSettings(ctx: DomainContext): Promise<ClinicSettings> {
  requireActor(ctx.actor);
  return loadSettings(ctx);
}

/**
 * What changing the clinic's time zone does to the appointments still to come. They are stored
 * as instants, so each keeps its moment and is shown at another wall-clock time in the new zone;
 * doctors' hours are wall-clock times, so some may then fall outside them.
 */
export interface TimeZoneChange {
  from: string;
  to: string;
  /** active (pending, approved, checked-in) appointments starting after now */
  futureAppointments: number;
  /** of those, how many lie outside their doctor's hours on the new zone's wall clock */
  outsideHours: number;
}

/** The consequence of `settings set timezone ZONE`, for the caller to show before asking (admin). */
export async function previewTimeZoneChange(ctx: DomainContext, zone: string): Promise<TimeZoneChange> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'settings.update', {}, { entity: 'settings', entityId: 'timezone' });
  return timeZoneChange(ctx.db, SETTING_KEYS.timezone.parse(zone), ctx.now());
}

async function timeZoneChange(db: DomainContext['db'], to: string, now: Date): Promise<TimeZoneChange> {
  const from = await clinicTimeZone({ db });
  const appointments = await findFutureActiveTimes(db, now);
  if (from === to || appointments.length === 0) return { from, to, futureAppointments: appointments.length, outsideHours: 0 };
  const [doctors, hours] = await Promise.all([listDoctors(db), findAllHours(db)]);
  const slotMinutes = new Map(doctors.map((doctor) => [doctor.id, doctor.slot_minutes]));
  const week = new Map<string, WorkingRange[]>();
  for (const row of hours) {
    const ranges = week.get(row.doctor_id) ?? [];
    ranges.push({ weekday: row.weekday, start: row.start_time, end: row.end_time });
    week.set(row.doctor_id, ranges);
  }
  let outsideHours = 0;
  for (const appointment of appointments) {
    const start = DateTime.fromJSDate(appointment.starts_at, { zone: to });
    const end = DateTime.fromJSDate(appointment.ends_at, { zone: to });
    const problem = checkWorkingHours(start, end, week.get(appointment.doctor_id) ?? [], slotMinutes.get(appointment.doctor_id) ?? 1);
    if (problem?.kind === 'outside-hours') outsideHours++;
  }
  return { from, to, futureAppointments: appointments.length, outsideHours };
}

/**
 * Changes one setting. A new time zone under future appointments moves their wall-clock times
 * (never their instants), so it needs `acceptTimeZoneChange` — given after the person has seen
 * previewTimeZoneChange; without it the change is refused as a conflict.
 */
export async function updateSetting(ctx: DomainContext, input: { key: string; value: string; acceptTimeZoneChange?: boolean }): Promise<ClinicSettings> {
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'settings.update', {}, { entity: 'settings', entityId: input.key });
  const spec = SETTING_KEYS[input.key as SettingKey];
  if (!spec) {
    throw new ValidationError(`Unknown setting "${input.key}".`, { remedy: `Settings are: ${SETTING_KEY_NAMES.join(', ')}.` });
  }
  const value = spec.parse(input.value);
  await inTransaction(ctx, async (trx) => {
    let details: Record<string, unknown> = { value };
    if (spec.field === 'timezone') {
      const change = await timeZoneChange(trx, String(value), ctx.now());
      if (change.from !== change.to && change.futureAppointments > 0) {
        if (!input.acceptTimeZoneChange) {
          throw new ConflictError(`${describeTimeZoneChange(change)}`, {
            remedy: 'Confirm the change (--yes) once you have read what it does.',
            details: { ...change },
          });
        }
        details = { ...details, from: change.from, futureAppointments: change.futureAppointments, outsideHours: change.outsideHours };
      }
    }
    await upsertSetting(trx, spec.field, String(value), actor.id);
    await recordAudit(trx, actor, { action: 'settings.update', entity: 'settings', entityId: spec.field, details });
  });
  return loadSettings(ctx);
}

/** The consequence in words, the same for the question, the refusal and the README. */
export function describeTimeZoneChange(change: TimeZoneChange): string {
  const count =
    change.futureAppointments === 1 ? '1 future appointment keeps its moment' : `${change.futureAppointments} future appointments keep their moments`;
  const outside =
    change.outsideHours === 0
      ? "all of them stay within their doctors' hours."
      : `${change.outsideHours} of them will fall outside their doctors' hours (they stay booked; reschedule them if needed).`;
  return `Changing the time zone from ${change.from} to ${change.to}: ${count} and will be shown at other wall-clock times; ${outside}`;
}

/** Used by `clinic init`, before any admin exists to authorize it. */
export async function storeInitialTimeZone(db: DomainContext['db'], timezone: string): Promise<void> {
  SETTING_KEYS.timezone.parse(timezone);
  await upsertSetting(db, 'timezone', timezone, null);
}
