import type { Knex } from 'knex';

// citext: case-insensitive usernames and emails; btree_gist: exclusion constraints on
// (doctor_id, time range); unaccent + pg_trgm: accent-insensitive patient search.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS citext');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS unaccent');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  // unaccent() is only STABLE; an IMMUTABLE wrapper bound to one dictionary can be indexed.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION clinic_fold(value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
  `);
}

// Extensions may be shared with other schemas of the same server, so only our function goes.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS clinic_fold(text)');
}
