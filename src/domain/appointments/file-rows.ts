import type { StagedAppointment } from '../../db/repositories/appointment-staging.js';
import { APPOINTMENT_STATUSES, type AppointmentStatus } from '../../db/schema-values.js';
import { dateParts, isCalendarDate, isoWeekday, startOfClinicDay, timeParts, type LocalInstant } from '../clinic-time.js';
import { MAX_DURATION_MINUTES } from './rules.js';
import { USERNAME_PATTERN } from '../users/accounts.js';
import { statusPossibleFrom } from './transitions.js';
import type { RecordShape, SourceRecord } from '../import-file.js';

/** The import/export fields of an appointment (DESIGN §7), in file order. */
export const APPOINTMENT_FIELDS = [
  'patient',
  'doctor',
  'date',
  'time',
  'reason',
  'durationMinutes',
  'status',
  'externalId',
  'cancelReason',
  'rescheduledFromId',
  'seriesId',
] as const;
export type AppointmentField = (typeof APPOINTMENT_FIELDS)[number];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const APPOINTMENT_SHAPE: RecordShape = {
  fields: APPOINTMENT_FIELDS,
  required: ['patient', 'doctor', 'date', 'time'],
  numeric: ['durationMinutes'],
};

/**
 * Checks what one row can say about itself (formats, ranges, known statuses) and turns it into a
 * staging row; everything that needs the database (people, hours, clashes) is checked in SQL.
 */
export function stageAppointment(record: SourceRecord, clock: (date: string, hour: number, minute: number) => LocalInstant, zone: string): StagedAppointment {
  const f = record.fields;
  let hasNul = false;
  const text = (name: AppointmentField) => {
    let value = f[name]?.trim();
    if (value?.includes('\u0000')) {
      hasNul = true;
      value = value.replaceAll('\u0000', '');
    }
    return value === undefined || value === '' ? null : value;
  };
  const staged: StagedAppointment = {
    line: record.line,
    patient: text('patient'),
    doctor: text('doctor'),
    date: text('date'),
    time: text('time'),
    reason: text('reason'),
    duration_minutes: text('durationMinutes'),
    status: text('status'),
    external_id: text('externalId'),
    cancel_reason: text('cancelReason'),
    rescheduled_from: text('rescheduledFromId'),
    series: text('seriesId'),
    problem: record.problem ?? null,
    local_date: null,
    weekday: null,
    start_minute: null,
    starts_at: null,
    duration: null,
    status_value: null,
    not_before: null,
  };
  if (staged.problem === null && hasNul) staged.problem = 'a field contains a NUL character';
  if (staged.problem === null) staged.problem = rowProblem(staged, clock, zone);
  return staged;
}

function rowProblem(row: StagedAppointment, clock: (date: string, hour: number, minute: number) => LocalInstant, zone: string): string | null {
  for (const [name, value] of [
    ['patient', row.patient],
    ['doctor', row.doctor],
    ['date', row.date],
    ['time', row.time],
  ] as const) {
    if (value === null) return `${name} is required`;
  }
  if (!USERNAME_PATTERN.test(row.patient!.toLowerCase())) return `invalid patient username "${row.patient}"`;
  if (!USERNAME_PATTERN.test(row.doctor!.toLowerCase())) return `invalid doctor username "${row.doctor}"`;
  row.patient = row.patient!.toLowerCase();
  row.doctor = row.doctor!.toLowerCase();
  const date = dateParts(row.date!);
  if (!date || date.year < 1900 || !isCalendarDate(date)) return `invalid date "${row.date}": use YYYY-MM-DD`;
  const time = timeParts(row.time!);
  if (!time) return `invalid time "${row.time}": use HH:MM on the 24-hour clock`;
  const { hour, minute } = time;
  const local = clock(row.date!, hour, minute);
  if ('problem' in local) return local.problem;
  row.local_date = row.date;
  row.weekday = isoWeekday(date);
  row.start_minute = hour * 60 + minute;
  row.starts_at = local.instant.toISOString();
  if (row.duration_minutes !== null) {
    const duration = Number(row.duration_minutes);
    if (!Number.isInteger(duration) || duration <= 0 || duration > MAX_DURATION_MINUTES) {
      return `invalid durationMinutes "${row.duration_minutes}": a whole number of minutes, at most ${MAX_DURATION_MINUTES} minutes`;
    }
    row.duration = duration;
  }
  const status = (row.status ?? 'PENDING').toUpperCase();
  if (!(APPOINTMENT_STATUSES as readonly string[]).includes(status)) return `invalid status "${row.status}": one of ${APPOINTMENT_STATUSES.join(', ')}`;
  row.status_value = status;
  const dayStart = () => {
    const midnight = clock(row.date!, 0, 0);
    return 'instant' in midnight ? midnight.instant : startOfClinicDay(row.date!, zone).toJSDate();
  };
  row.not_before = statusPossibleFrom(status as AppointmentStatus, local.instant, dayStart)?.toISOString() ?? null;
  if (row.reason !== null && row.reason.length > 1000) return 'the reason is longer than 1000 characters';
  if (row.external_id !== null && row.external_id.length > 200) return 'the externalId is longer than 200 characters';
  if (row.cancel_reason !== null && status !== 'CANCELLED' && status !== 'REJECTED')
    return `a cancelReason goes with a CANCELLED or REJECTED status, not ${status}`;
  if (row.cancel_reason !== null && row.cancel_reason.length > 1000) return 'the cancelReason is longer than 1000 characters';
  if (row.rescheduled_from !== null && row.external_id === null) return 'a rescheduledFromId needs an externalId on the same row';
  if (row.series !== null) {
    if (!UUID_PATTERN.test(row.series)) return `invalid seriesId "${row.series}": the UUID that \`appointments export\` writes`;
    row.series = row.series.toLowerCase();
  }
  return null;
}
