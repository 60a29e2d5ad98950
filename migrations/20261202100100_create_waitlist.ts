import type { Knex } from 'knex';

// Patients waiting for a slot with a doctor. When an active appointment of that doctor is freed
// (cancel, reject, reschedule) the earliest WAITING entry that matches the slot is offered it: a
// PENDING appointment in the same transaction, and the entry becomes FULFILLED with a link to it.
// Windows are clinic-local: dates (inclusive), a time-of-day range and ISO weekdays (1 = Monday).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE waitlist (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      patient_id uuid NOT NULL REFERENCES patients (user_id),
      doctor_id uuid NOT NULL REFERENCES doctors (user_id),
      from_date date,
      to_date date,
      from_time time,
      to_time time,
      weekdays smallint[] NOT NULL DEFAULT '{1,2,3,4,5,6,7}',
      status text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'FULFILLED', 'REMOVED')),
      appointment_id uuid REFERENCES appointments (id),
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT waitlist_dates_ordered CHECK (from_date IS NULL OR to_date IS NULL OR from_date <= to_date),
      CONSTRAINT waitlist_times_paired CHECK ((from_time IS NULL) = (to_time IS NULL) AND (from_time IS NULL OR from_time < to_time)),
      CONSTRAINT waitlist_weekdays_valid CHECK (cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]),
      CONSTRAINT waitlist_fulfilled_has_appointment CHECK ((status = 'FULFILLED') = (appointment_id IS NOT NULL))
    )
  `);
  await knex.raw("CREATE INDEX waitlist_waiting_idx ON waitlist (doctor_id, created_at, id) WHERE status = 'WAITING'");
  await knex.raw('CREATE INDEX waitlist_patient_idx ON waitlist (patient_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE waitlist');
}
