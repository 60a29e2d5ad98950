import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE doctors (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      specialty text CHECK (specialty IS NULL OR char_length(specialty) <= 100),
      license_number text UNIQUE CHECK (license_number IS NULL OR char_length(license_number) <= 50),
      slot_minutes integer NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 5 AND 480)
    )
  `);
  await knex.raw('CREATE INDEX doctors_specialty_idx ON doctors (lower(specialty))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE doctors');
}
