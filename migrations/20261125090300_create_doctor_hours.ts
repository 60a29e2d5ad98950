import type { Knex } from 'knex';

// Weekly working hours in the clinic's time zone; weekday is ISO (1 = Monday ... 7 = Sunday).
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE doctor_hours (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      doctor_id uuid NOT NULL REFERENCES doctors (user_id) ON DELETE CASCADE,
      weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
      start_time time NOT NULL,
      end_time time NOT NULL,
      CHECK (end_time > start_time),
      EXCLUDE USING gist (
        doctor_id WITH =, weekday WITH =,
        int4range((extract(epoch FROM start_time) / 60)::int, (extract(epoch FROM end_time) / 60)::int) WITH &&
      )
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE doctor_hours');
}
