/**
 * A deterministic clinic generated in SQL (generate_series straight into the tables): the same
 * parameters give the same rows, ids included (ids derived from row numbers), on every run.
 *
 * Shape: doctors work Monday–Friday 09:00–17:00 in 30-minute slots (16 a day); on every working
 * day each doctor has 12 of the 16 slots booked (slot s of doctor d on day k is free when
 * (d + s + k) % 4 = 0), so free slots exist everywhere. Appointment number
 * n = (k * 16 + s) * doctors + d goes to patient n % patients: at one instant the booked
 * doctors see `doctors` consecutive n, hence distinct patients, so neither exclusion constraint
 * (no doctor overlap, no patient overlap) can fire. The clinic's time zone is UTC.
 */
export interface ClinicShape {
  doctors: number;
  patients: number;
  appointments: number;
}

/**
 * The last working day of the generated calendar, whatever its size: a clinic's history lies
 * behind it, a few months of bookings ahead of it. Only active appointments (PENDING, APPROVED,
 * CHECKED_IN) enter the exclusion constraints' partial indexes, so, as in a real clinic, most rows
 * are history and the constraints watch the future.
 */
export const LAST_DAY = '2027-02-26';
/** Appointments before this instant are history (COMPLETED, some CANCELLED or NO_SHOW); later ones PENDING or APPROVED. */
export const PIVOT = '2026-11-23T00:00:00Z';
const SLOTS_PER_DAY = 16;
const BOOKED_PER_DAY = 12;

export function doctorUsername(index: number): string {
  return `doc${String(index).padStart(3, '0')}`;
}

export function patientUsername(index: number): string {
  return `pat${String(index).padStart(5, '0')}`;
}

const FIRST_NAMES = [
  'Élodie',
  'José',
  'Anaïs',
  'Zoë',
  'Mathéo',
  'Chloé',
  'Noël',
  'Inès',
  'Björn',
  'Søren',
  'Ana',
  'Luis',
  'Maria',
  'John',
  'Emma',
  'Olivia',
  'Liam',
  'Noah',
  'Ava',
  'Mia',
  'Lucas',
  'Hugo',
  'Léa',
  'Jules',
  'Camille',
  'Louise',
  'Adam',
  'Sarah',
  'Yasmine',
  'Karim',
  'Mehmet',
  'Ayşe',
  'Chen',
  'Wei',
  'Yuki',
  'Hiro',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
];
const LAST_NAMES = [
  'Dupont',
  'Martin',
  'Bernard',
  'Thomas',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefèvre',
  'Michel',
  'García',
  'Fernández',
  'López',
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Nowak',
  'Kowalski',
  'Wiśniewski',
  'Novák',
  'Svoboda',
  'Nielsen',
  'Hansen',
  'Jensen',
  'Andersen',
  'Pedersen',
  'Yılmaz',
  'Kaya',
  'Demir',
  'Şahin',
  'Çelik',
  'Tanaka',
  'Suzuki',
  'Sato',
  'Kim',
  'Nguyễn',
];
const SPECIALTIES = ['General practice', 'Cardiology', 'Dermatology', 'Paediatrics', 'Neurology', 'Orthopaedics', 'Psychiatry', 'Ophthalmology'];
const REASONS = ['Check-up', 'Follow-up', 'Vaccination', 'Blood pressure', 'Prescription renewal', 'Back pain', 'Headache', 'Test results'];

function workingDaysFor(shape: ClinicShape): number {
  return Math.ceil(shape.appointments / (shape.doctors * BOOKED_PER_DAY));
}

const isWorkingDay = (day: Date) => day.getUTCDay() !== 0 && day.getUTCDay() !== 6;

/** The first working day (YYYY-MM-DD) such that the appointments fill the calendar up to LAST_DAY. */
export function firstDay(shape: ClinicShape): string {
  const day = new Date(`${LAST_DAY}T00:00:00Z`);
  for (let counted = isWorkingDay(day) ? 1 : 0; counted < workingDaysFor(shape);) {
    day.setUTCDate(day.getUTCDate() - 1);
    if (isWorkingDay(day)) counted++;
  }
  return day.toISOString().slice(0, 10);
}

/** A Monday inside the generated calendar: the next one from today when it is inside, else the middle one. */
export function sampleMonday(shape: ClinicShape, today = new Date()): string {
  const first = Date.parse(`${firstDay(shape)}T00:00:00Z`);
  const last = Date.parse(`${LAST_DAY}T00:00:00Z`);
  const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  while (day.getUTCDay() !== 1) day.setUTCDate(day.getUTCDate() + 1);
  if (day.getTime() >= first && day.getTime() + 4 * 86_400_000 <= last) return day.toISOString().slice(0, 10);
  const middle = new Date(first + Math.floor((last - first) / 2 / (7 * 86_400_000)) * 7 * 86_400_000);
  while (middle.getUTCDay() !== 1) middle.setUTCDate(middle.getUTCDate() + 1);
  return middle.toISOString().slice(0, 10);
}

function sqlArray(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${value}`);
  return value;
}

/**
 * The SQL that fills an empty, migrated clinic database. Only integers validated above and
 * constants of this file are spliced in; it is bench code run on a throw-away database.
 */
export function clinicSql(shape: ClinicShape): string {
  const doctors = positiveInteger('doctors', shape.doctors);
  const patients = positiveInteger('patients', shape.patients);
  const appointments = positiveInteger('appointments', shape.appointments);
  if (patients < doctors) throw new Error('need at least as many patients as doctors (no patient may overlap)');
  const first = firstDay(shape);
  return `
SET client_min_messages = warning;
SET maintenance_work_mem = '256MB';
SET work_mem = '128MB';
BEGIN;
-- Ids are deterministic and ascending (cheap to generate and to index): kind letter + number.
CREATE FUNCTION pg_temp.uuid_for(kind text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT (kind || '0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$;
INSERT INTO settings (key, value) VALUES ('timezone', 'UTC') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;

INSERT INTO users (id, username, full_name, email, role)
SELECT pg_temp.uuid_for('d', i), 'doc' || lpad(i::text, 3, '0'),
       'Dr ' || (${sqlArray(FIRST_NAMES)})[1 + (i * 7) % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (i * 11) % ${LAST_NAMES.length}],
       'doc' || i || '@clinic.example', 'doctor'
FROM generate_series(1, ${doctors}) AS i;

INSERT INTO doctors (user_id, specialty, license_number, slot_minutes)
SELECT pg_temp.uuid_for('d', i), (${sqlArray(SPECIALTIES)})[1 + i % ${SPECIALTIES.length}], 'LIC-' || lpad(i::text, 6, '0'), 30
FROM generate_series(1, ${doctors}) AS i;

INSERT INTO doctor_hours (doctor_id, weekday, start_time, end_time)
SELECT pg_temp.uuid_for('d', i), weekday, time '09:00', time '17:00'
FROM generate_series(1, ${doctors}) AS i, generate_series(1, 5) AS weekday;

INSERT INTO users (id, username, full_name, email, role)
SELECT pg_temp.uuid_for('e', i), 'pat' || lpad(i::text, 5, '0'),
       (${sqlArray(FIRST_NAMES)})[1 + i % ${FIRST_NAMES.length}] || ' ' || (${sqlArray(LAST_NAMES)})[1 + (i / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}],
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'pat' || i || '@mail.example' END, 'patient'
FROM generate_series(1, ${patients}) AS i;

-- No phone numbers: the searches and lists measured here do not read them.
INSERT INTO patients (user_id, date_of_birth)
SELECT pg_temp.uuid_for('e', i), date '1940-01-01' + (i * 37) % 27000
FROM generate_series(1, ${patients}) AS i;

-- Bulk load: foreign keys are right by construction (ids come from the same numbering), so their
-- per-row triggers are skipped; the exclusion constraints and secondary indexes are dropped and
-- built again from their own definitions after the load: building them once over all rows is
-- several times faster than maintaining them row by row, and re-checks every row all the same.
SET LOCAL session_replication_role = replica;
CREATE TEMP TABLE bench_deferred_ddl ON COMMIT DROP AS
  SELECT format('ALTER TABLE appointments ADD CONSTRAINT %I %s', conname, pg_get_constraintdef(oid)) AS ddl,
         format('ALTER TABLE appointments DROP CONSTRAINT %I', conname) AS undo
  FROM pg_constraint WHERE conrelid = 'appointments'::regclass AND contype = 'x'
  UNION ALL
  SELECT pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass)
  FROM pg_index AS i
  WHERE i.indrelid = 'appointments'::regclass AND NOT i.indisunique AND NOT i.indisprimary
    AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid);
DO $$ DECLARE statement text; BEGIN
  FOR statement IN SELECT undo FROM bench_deferred_ddl LOOP EXECUTE statement; END LOOP;
END $$;

INSERT INTO appointments (id, patient_id, doctor_id, starts_at, ends_at, reason, status, created_at, updated_at)
SELECT pg_temp.uuid_for('a', n),
       pg_temp.uuid_for('e', 1 + n % ${patients}),
       pg_temp.uuid_for('d', 1 + doctor),
       starts_at, starts_at + interval '30 minutes',
       (${sqlArray(REASONS)})[1 + n % ${REASONS.length}],
       CASE
         WHEN starts_at >= timestamptz '${PIVOT}' THEN CASE WHEN n % 3 = 0 THEN 'PENDING' ELSE 'APPROVED' END
         WHEN n % 20 = 0 THEN 'CANCELLED'
         WHEN n % 33 = 0 THEN 'NO_SHOW'
         ELSE 'COMPLETED'
       END,
       starts_at - interval '14 days', starts_at - interval '14 days'
FROM (
  SELECT day_index, slot, doctor, (day_index * ${SLOTS_PER_DAY} + slot) * ${doctors} + doctor AS n,
         (day + time '09:00' + slot * interval '30 minutes') AT TIME ZONE 'UTC' AS starts_at
  FROM (
    SELECT day::date AS day, (row_number() OVER (ORDER BY day) - 1)::int AS day_index
    FROM generate_series(date '${first}', date '${LAST_DAY}', interval '1 day') AS day
    WHERE extract(isodow FROM day) < 6
  ) AS working_days,
  generate_series(0, ${SLOTS_PER_DAY - 1}) AS slot,
  generate_series(0, ${doctors - 1}) AS doctor
  WHERE (doctor + slot + day_index) % 4 <> 0
  ORDER BY day_index, slot, doctor
  LIMIT ${appointments}
) AS booked;

DO $$ DECLARE statement text; BEGIN
  FOR statement IN SELECT ddl FROM bench_deferred_ddl LOOP EXECUTE statement; END LOOP;
END $$;
SET LOCAL session_replication_role = origin;

INSERT INTO doctor_patients (doctor_id, patient_id)
SELECT DISTINCT doctor_id, patient_id FROM appointments;
COMMIT;
ANALYZE;
`;
}
