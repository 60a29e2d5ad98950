import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE doctor_timeoff (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      doctor_id uuid NOT NULL REFERENCES doctors (user_id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      reason text CHECK (reason IS NULL OR char_length(reason) <= 500),
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at)
    )
  `);
  await knex.raw('CREATE INDEX doctor_timeoff_range_idx ON doctor_timeoff USING gist (doctor_id, tstzrange(starts_at, ends_at))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE doctor_timeoff');
}
