import type { Knex } from 'knex';

// A recurring booking (`appointments book --repeat`) gives its occurrences one series id, so that
// `cancel --series` and `reschedule --series` find "this and all following occurrences". There is
// no series table: a series is nothing but the appointments that share the id.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE appointments ADD COLUMN series_id uuid');
  await knex.raw('CREATE INDEX appointments_series_idx ON appointments (series_id, starts_at) WHERE series_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX appointments_series_idx');
  await knex.raw('ALTER TABLE appointments DROP COLUMN series_id');
}
