import type { Knex } from 'knex';

// rescheduled_from_id is also searched forwards, from an appointment to the ones that replaced it:
// the calendar export asks for every page it writes, and without an index each ask reads the whole
// table. Partial: only rescheduled appointments have one, so the index stays small.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX appointments_rescheduled_from_idx ON appointments (rescheduled_from_id) WHERE rescheduled_from_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX appointments_rescheduled_from_idx');
}
