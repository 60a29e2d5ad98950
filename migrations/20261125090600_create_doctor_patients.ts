import type { Knex } from 'knex';

// The doctor's panel: which patients a doctor looks after.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE doctor_patients (
      doctor_id uuid NOT NULL REFERENCES doctors (user_id) ON DELETE CASCADE,
      patient_id uuid NOT NULL REFERENCES patients (user_id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (doctor_id, patient_id)
    )
  `);
  await knex.raw('CREATE INDEX doctor_patients_patient_idx ON doctor_patients (patient_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE doctor_patients');
}
