import type { Knex } from 'knex';

// `appointments due --mark-reminded` sets reminded_at in the same UPDATE that picks the rows, so
// that two overlapping runs of a reminder job never send the same reminder. A reschedule makes a
// new appointment row, which starts unreminded. The partial index serves the feed's search.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE appointments ADD COLUMN reminded_at timestamptz NULL');
  await knex.raw(`CREATE INDEX appointments_due_reminder_idx ON appointments (starts_at) WHERE status = 'APPROVED' AND reminded_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX appointments_due_reminder_idx');
  await knex.raw('ALTER TABLE appointments DROP COLUMN reminded_at');
}
