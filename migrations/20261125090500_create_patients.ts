import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE patients (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      date_of_birth date CHECK (date_of_birth IS NULL OR date_of_birth >= DATE '1900-01-01'),
      phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9 ()./-]{5,30}$')
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE patients');
}
