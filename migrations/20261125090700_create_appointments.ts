import type { Knex } from 'knex';

// Active appointments (PENDING, APPROVED, CHECKED_IN) of one doctor, or of one patient, never
// overlap: the exclusion constraints are the last word, whatever the application checked before.
// Ranges are [) so back-to-back appointments are legal.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE appointments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      patient_id uuid NOT NULL REFERENCES patients (user_id),
      doctor_id uuid NOT NULL REFERENCES doctors (user_id),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      reason text CHECK (reason IS NULL OR char_length(reason) <= 1000),
      status text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW')),
      cancel_reason text CHECK (cancel_reason IS NULL OR char_length(cancel_reason) <= 1000),
      rescheduled_from_id uuid REFERENCES appointments (id),
      external_id text UNIQUE CHECK (external_id IS NULL OR char_length(external_id) BETWEEN 1 AND 200),
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT appointments_ends_after_start CHECK (ends_at > starts_at),
      CONSTRAINT appointments_no_doctor_overlap EXCLUDE USING gist (
        doctor_id WITH =, tstzrange(starts_at, ends_at) WITH &&
      ) WHERE (status IN ('PENDING', 'APPROVED', 'CHECKED_IN')),
      CONSTRAINT appointments_no_patient_overlap EXCLUDE USING gist (
        patient_id WITH =, tstzrange(starts_at, ends_at) WITH &&
      ) WHERE (status IN ('PENDING', 'APPROVED', 'CHECKED_IN'))
    )
  `);
  await knex.raw('CREATE INDEX appointments_doctor_time_idx ON appointments (doctor_id, starts_at)');
  await knex.raw('CREATE INDEX appointments_patient_time_idx ON appointments (patient_id, starts_at)');
  await knex.raw('CREATE INDEX appointments_time_idx ON appointments (starts_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE appointments');
}
