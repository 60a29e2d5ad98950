import type { Knex } from 'knex';
import { ACTIVE_STATUSES } from '../schema-values.js';
import { openStagingWriter, type StagingWriter } from './staging-writer.js';

/**
 * Bulk import of appointments, set-based: rows are streamed into a temporary staging table
 * (COPY on PostgreSQL, multi-row INSERTs on PGlite), checked in a few SQL statements against the
 * people, the doctors' hours and time-off and the existing and other imported appointments, and
 * inserted in one statement. Everything lives in the caller's transaction; the temporary tables
 * go with it.
 */

/** One imported row as staged: the raw text (for the rejects file) and what the row parser made of it. */
export interface StagedAppointment {
  line: number;
  patient: string | null;
  doctor: string | null;
  date: string | null;
  time: string | null;
  reason: string | null;
  duration_minutes: string | null;
  status: string | null;
  external_id: string | null;
  cancel_reason: string | null;
  /** the externalId (or id) of the appointment this one replaced, in the clinic or earlier in the file */
  rescheduled_from: string | null;
  /** the recurring series (seriesId, a UUID) the row belongs to: the appointments that share it */
  series: string | null;
  /** why the row is bad as read (format, field values); null when it reads well */
  problem: string | null;
  /** the clinic-local date, its ISO weekday and the start in minutes after midnight */
  local_date: string | null;
  weekday: number | null;
  start_minute: number | null;
  /** the instant (ISO 8601), read in the clinic's time zone */
  starts_at: string | null;
  /** null: the doctor's slot length */
  duration: number | null;
  status_value: string | null;
  /** the earliest instant (ISO 8601) the status could have been recorded (statusPossibleFrom) */
  not_before: string | null;
}

/** The row as read (what a rejects file gives back), then why it is bad. */
const REJECTED_COLUMNS = [
  'line',
  'patient',
  'doctor',
  'date',
  'time',
  'reason',
  'duration_minutes',
  'status',
  'external_id',
  'cancel_reason',
  'rescheduled_from',
  'series',
  'problem',
] as const satisfies ReadonlyArray<keyof StagedAppointment>;

export const STAGED_COLUMNS = [
  ...REJECTED_COLUMNS,
  'local_date',
  'weekday',
  'start_minute',
  'starts_at',
  'duration',
  'status_value',
  'not_before',
] as const satisfies ReadonlyArray<keyof StagedAppointment>;

/** A rejected row: the staged row as read, and why it is rejected. */
export type RejectedAppointmentRow = Pick<StagedAppointment, (typeof REJECTED_COLUMNS)[number]> & { problem: string };

export interface AppointmentImportCounts {
  imported: number;
  skipped: number;
  rejected: number;
}

const CREATE_STAGING = `
  CREATE TEMP TABLE appointment_import_rows (
    line integer NOT NULL,
    patient text, doctor text, date text, time text, reason text, duration_minutes text, status text, external_id text,
    cancel_reason text, rescheduled_from text, series text,
    problem text,
    local_date date, weekday smallint, start_minute integer, starts_at timestamptz, duration integer, status_value text,
    not_before timestamptz
  ) ON COMMIT DROP`;

export async function createAppointmentStaging(trx: Knex.Transaction, backend: 'embedded' | 'postgres'): Promise<StagingWriter<StagedAppointment>> {
  if (backend === 'postgres') {
    // A few big set-based statements: compiling them (JIT) costs more than it saves, and sorts fit in memory.
    await trx.raw('SET LOCAL jit = off');
    await trx.raw("SET LOCAL work_mem = '64MB'");
  }
  await trx.raw(CREATE_STAGING);
  return openStagingWriter(trx, backend, 'appointment_import_rows', STAGED_COLUMNS);
}

/*
 * Each staged row is resolved and judged in one pass; the first problem found is the row's
 * reason, in the order a person would want to hear them. (Times were read in the clinic zone
 * while staging, DST gaps included.)
 */
const CHECK_ROWS = `
  CREATE TEMP TABLE appointment_import_checked ON COMMIT DROP AS
  WITH resolved AS (
    SELECT s.*, du.id AS doctor_id, du.status AS doctor_status, d.slot_minutes, pu.id AS patient_id, pu.status AS patient_status,
           coalesce(s.duration, d.slot_minutes) AS minutes,
           s.starts_at + make_interval(mins => coalesce(s.duration, d.slot_minutes)) AS ends_at,
           s.status_value = ANY (CAST(:active AS text[])) AS active,
           (ex.id IS NOT NULL OR ei.id IS NOT NULL) AS external_id_taken,
           -- imported before: the appointment holding the externalId is this row's (same parties, same start)
           coalesce((ex.patient_id = pu.id AND ex.doctor_id = du.id AND ex.starts_at = s.starts_at)
                    OR (ei.patient_id = pu.id AND ei.doctor_id = du.id AND ei.starts_at = s.starts_at), false) AS already_imported,
           repeated.first_line, mixed.series IS NOT NULL AS mixed_series
      FROM appointment_import_rows s
      LEFT JOIN (
        SELECT external_id, min(line) AS first_line FROM appointment_import_rows
         WHERE external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1
      ) repeated ON repeated.external_id = s.external_id
      -- a series is one doctor's with one patient (cancel --series and reschedule --series move it whole)
      LEFT JOIN (
        SELECT series FROM appointment_import_rows
         WHERE series IS NOT NULL GROUP BY series HAVING count(DISTINCT doctor || ' ' || patient) > 1
      ) mixed ON mixed.series = s.series
      LEFT JOIN users du ON du.username = s.doctor::citext AND du.role = 'doctor'
      LEFT JOIN doctors d ON d.user_id = du.id
      LEFT JOIN users pu ON pu.username = s.patient::citext AND pu.role = 'patient'
      LEFT JOIN appointments ex ON ex.external_id = s.external_id
      -- an export names an appointment that had no externalId by its id
      LEFT JOIN appointments ei
        ON ei.id = CASE WHEN s.external_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN s.external_id::uuid END
  )
  SELECT x.line, x.patient, x.doctor, x.date, x.time, x.reason, x.duration_minutes, x.status, x.external_id,
         x.cancel_reason, x.rescheduled_from, x.series,
         x.doctor_id, x.patient_id, x.starts_at, x.ends_at, x.status_value, x.active,
         x.already_imported AND x.problem IS NULL AS already_imported,
         CASE
           WHEN x.problem IS NOT NULL THEN x.problem
           WHEN x.already_imported THEN NULL
           WHEN x.first_line < x.line THEN 'externalId "' || x.external_id || '" repeats line ' || x.first_line
           WHEN x.rescheduled_from IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.external_id = x.rescheduled_from OR a.id::text = lower(x.rescheduled_from))
                AND NOT EXISTS (SELECT 1 FROM appointment_import_rows r WHERE r.external_id = x.rescheduled_from AND r.line < x.line)
             THEN 'rescheduledFromId "' || x.rescheduled_from || '" names no appointment of the clinic or of an earlier line'
           WHEN x.doctor_id IS NULL THEN 'unknown doctor "' || x.doctor || '"'
           WHEN x.patient_id IS NULL THEN 'unknown patient "' || x.patient || '"'
           WHEN x.doctor_status <> 'active' THEN 'the doctor "' || x.doctor || '" is disabled'
           WHEN x.patient_status <> 'active' THEN 'the patient "' || x.patient || '" is disabled'
           -- says nothing of that appointment: whose it is or when is not the importer's to learn here
           WHEN x.external_id_taken THEN 'externalId "' || x.external_id || '" is already used by a different appointment'
           WHEN x.mixed_series THEN 'seriesId "' || x.series || '" is given to rows of different doctors or patients'
           WHEN x.series IS NOT NULL AND EXISTS (
               SELECT 1 FROM appointments a WHERE a.series_id = CAST(x.series AS uuid) AND (a.doctor_id <> x.doctor_id OR a.patient_id <> x.patient_id))
             THEN 'seriesId "' || x.series || '" is a series of another doctor or patient in the clinic'
           WHEN x.minutes % x.slot_minutes <> 0 OR x.minutes > :maxDuration
             THEN 'invalid duration ' || x.minutes || ': a multiple of the doctor''s ' || x.slot_minutes || '-minute slot, at most ' || :maxDuration || ' minutes'
           WHEN x.status_value IN ('PENDING', 'APPROVED') AND x.starts_at < :now THEN x.date || ' ' || x.time || ' is in the past'
           WHEN x.not_before > :now
             THEN 'a ' || x.status_value || ' appointment is possible only from '
                  || to_char(x.not_before AT TIME ZONE CAST(:zone AS text), 'YYYY-MM-DD HH24:MI') || ' (' || CAST(:zone AS text) || ')'
           WHEN h.start_minute IS NULL THEN
             CASE WHEN EXISTS (SELECT 1 FROM doctor_hours w WHERE w.doctor_id = x.doctor_id AND w.weekday = x.weekday)
                  THEN x.time || ' is outside the doctor''s hours on ' || trim(to_char(x.local_date, 'Day')) || 's'
                  ELSE 'the doctor does not work on ' || trim(to_char(x.local_date, 'Day')) || 's' END
           WHEN (x.start_minute - h.start_minute) % x.slot_minutes <> 0
             THEN x.time || ' is not on the doctor''s ' || x.slot_minutes || '-minute grid (from ' || to_char(h.start_time, 'HH24:MI') || ')'
           WHEN x.start_minute + x.minutes > h.end_minute
             THEN 'the appointment runs past the end of the doctor''s hours (' || to_char(h.end_time, 'HH24:MI') || ')'
           WHEN EXISTS (SELECT 1 FROM doctor_timeoff o WHERE o.doctor_id = x.doctor_id AND o.starts_at < x.ends_at AND o.ends_at > x.starts_at)
             -- on the clinic's wall clock, as formatClinicDateTime shows them (an end at midnight is 24:00 of the day before)
             THEN (SELECT 'the doctor is away from ' || to_char(o.starts_at AT TIME ZONE CAST(:zone AS text), 'YYYY-MM-DD HH24:MI')
                          || ' to ' || CASE WHEN (o.ends_at AT TIME ZONE CAST(:zone AS text))::time = '00:00'
                                            THEN to_char((o.ends_at AT TIME ZONE CAST(:zone AS text)) - interval '1 day', 'YYYY-MM-DD') || ' 24:00'
                                            ELSE to_char(o.ends_at AT TIME ZONE CAST(:zone AS text), 'YYYY-MM-DD HH24:MI') END
                     FROM doctor_timeoff o WHERE o.doctor_id = x.doctor_id AND o.starts_at < x.ends_at AND o.ends_at > x.starts_at
                    ORDER BY o.starts_at LIMIT 1)
           WHEN x.active AND EXISTS (
               SELECT 1 FROM appointments a WHERE a.doctor_id = x.doctor_id AND a.status = ANY (CAST(:active AS text[]))
                  AND tstzrange(a.starts_at, a.ends_at) && tstzrange(x.starts_at, x.ends_at))
             THEN 'the doctor already has an appointment then'
           WHEN x.active AND EXISTS (
               SELECT 1 FROM appointments a WHERE a.patient_id = x.patient_id AND a.status = ANY (CAST(:active AS text[]))
                  AND tstzrange(a.starts_at, a.ends_at) && tstzrange(x.starts_at, x.ends_at))
             THEN 'the patient already has an appointment then'
         END AS problem
    FROM resolved x
    -- A doctor's ranges of one weekday never overlap (a constraint), so at most one contains the start.
    LEFT JOIN (
      SELECT hr.doctor_id, hr.weekday, hr.start_time, hr.end_time,
             (extract(epoch FROM hr.start_time) / 60)::int AS start_minute, (extract(epoch FROM hr.end_time) / 60)::int AS end_minute
        FROM doctor_hours hr
    ) h ON h.doctor_id = x.doctor_id AND h.weekday = x.weekday
       AND x.start_minute >= h.start_minute AND x.start_minute < h.end_minute`;

/*
 * Clashes between rows of the file: a row that overlaps an EARLIER line of the same doctor (then
 * of the same patient) is rejected, whatever becomes of that earlier line. No appointment is longer
 * than the longest duration (bound as :maxDuration), which bounds the index range each row looks at.
 */
/** Whether any two candidate rows overlap (per doctor, per patient): a row starting before the latest end so far. */
const ANY_IN_FILE_CLASH = `
  WITH candidates AS (
    SELECT doctor_id, patient_id, starts_at, ends_at FROM appointment_import_checked
     WHERE problem IS NULL AND active AND NOT already_imported
  )
  SELECT EXISTS (
           SELECT 1 FROM (
             SELECT starts_at < max(ends_at) OVER (PARTITION BY doctor_id ORDER BY starts_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS clash
               FROM candidates) d WHERE clash) AS doctor,
         EXISTS (
           SELECT 1 FROM (
             SELECT starts_at < max(ends_at) OVER (PARTITION BY patient_id ORDER BY starts_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS clash
               FROM candidates) p WHERE clash) AS patient`;

/** Later lines that overlap an earlier line of the same doctor or patient; `:party:` is bound as an identifier. */
const IN_FILE_CLASH = `
  UPDATE appointment_import_checked c
     SET problem = 'overlaps line ' || clash.other_line || ' of this file (same ' || CAST(:label AS text) || ')'
    FROM (
      SELECT a.line, min(b.line) AS other_line
        FROM appointment_import_checked a
        JOIN appointment_import_checked b
          ON b.:party: = a.:party: AND b.line < a.line
         AND b.starts_at > a.starts_at - make_interval(mins => :maxDuration) AND b.starts_at < a.ends_at AND b.ends_at > a.starts_at
       WHERE a.problem IS NULL AND b.problem IS NULL AND a.active AND b.active AND NOT a.already_imported AND NOT b.already_imported
       GROUP BY a.line
    ) clash
   WHERE c.line = clash.line`;

/** The statuses that hold a slot, as one array literal bound to `:active`. */
const ACTIVE = `{${ACTIVE_STATUSES.join(',')}}`;

/**
 * Resolves and judges every staged row; afterwards each row is rejected (a problem), skipped, or to
 * insert. The rules are `book`'s (the booking rules of the domain), with its longest duration; the
 * messages name the same problems in the same words.
 */
export async function checkStagedAppointments(trx: Knex.Transaction, options: { now: Date; zone: string; maxDurationMinutes: number }): Promise<void> {
  await trx.raw(CHECK_ROWS, { now: options.now, zone: options.zone, active: ACTIVE, maxDuration: options.maxDurationMinutes });
  await trx.raw('CREATE UNIQUE INDEX ON appointment_import_checked (line)');
  const clashes = await trx.raw(ANY_IN_FILE_CLASH);
  const { doctor, patient } = clashes.rows[0] as { doctor: boolean; patient: boolean };
  if (!doctor && !patient) return;
  await trx.raw('CREATE INDEX ON appointment_import_checked (doctor_id, starts_at)');
  await trx.raw('CREATE INDEX ON appointment_import_checked (patient_id, starts_at)');
  await trx.raw('ANALYZE appointment_import_checked');
  if (doctor) await trx.raw(IN_FILE_CLASH, { party: 'doctor_id', label: 'doctor', maxDuration: options.maxDurationMinutes });
  if (patient) await trx.raw(IN_FILE_CLASH, { party: 'patient_id', label: 'patient', maxDuration: options.maxDurationMinutes });
}

export async function countCheckedAppointments(trx: Knex.Transaction): Promise<{ valid: number; skipped: number; rejected: number }> {
  const result = await trx.raw(`
    SELECT count(*) FILTER (WHERE problem IS NULL AND NOT already_imported)::int AS valid,
           count(*) FILTER (WHERE problem IS NULL AND already_imported)::int AS skipped,
           count(*) FILTER (WHERE problem IS NOT NULL)::int AS rejected
      FROM appointment_import_checked`);
  const row = result.rows[0] as { valid: number; skipped: number; rejected: number };
  return { valid: Number(row.valid), skipped: Number(row.skipped), rejected: Number(row.rejected) };
}

/** Rejected rows in line order, a page at a time (after `afterLine`). */
export async function rejectedAppointments(trx: Knex.Transaction, afterLine: number, limit: number): Promise<RejectedAppointmentRow[]> {
  return trx('appointment_import_checked')
    .select(...REJECTED_COLUMNS)
    .whereNotNull('problem')
    .where('line', '>', afterLine)
    .orderBy('line')
    .limit(limit);
}

/**
 * Inserts the good rows that are not already imported and puts each patient on the doctor's panel.
 * (No ON CONFLICT: it makes the insert half again as slow; externalIds were checked above, and a
 * concurrent import of the same rows fails on the unique constraint instead.)
 */
export async function insertCheckedAppointments(trx: Knex.Transaction, createdBy: string | null): Promise<number> {
  const inserted = await trx.raw(
    `INSERT INTO appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason, external_id, series_id, created_by)
     SELECT patient_id, doctor_id, starts_at, ends_at, reason, status_value, cancel_reason, external_id, CAST(series AS uuid), :createdBy
       FROM appointment_import_checked
      WHERE problem IS NULL AND NOT already_imported
      ORDER BY line`,
    { createdBy },
  );
  // Reschedule links, once every row exists (a link may name an earlier line of the file).
  await trx.raw(
    `UPDATE appointments a SET rescheduled_from_id = old.id
       FROM appointment_import_checked c, appointments old
      WHERE c.problem IS NULL AND NOT c.already_imported AND c.rescheduled_from IS NOT NULL
        AND a.external_id = c.external_id
        AND (old.external_id = c.rescheduled_from OR old.id::text = lower(c.rescheduled_from))`,
  );
  await trx.raw(
    `INSERT INTO doctor_patients (doctor_id, patient_id)
     SELECT DISTINCT doctor_id, patient_id FROM appointment_import_checked WHERE problem IS NULL AND NOT already_imported
     ON CONFLICT DO NOTHING`,
  );
  return Number(inserted.rowCount ?? inserted.affectedRows ?? 0);
}
