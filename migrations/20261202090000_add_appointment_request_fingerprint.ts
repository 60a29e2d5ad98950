import type { Knex } from 'knex';

// `appointments book --idempotency-key KEY` stores KEY in external_id (the importer's key: one
// mechanism, unique per clinic, kept as long as the appointment) and here a SHA-256 of the
// request, so that a repeat of the same key with another request is refused instead of answered.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE appointments ADD COLUMN request_fingerprint text CHECK (request_fingerprint IS NULL OR request_fingerprint ~ '^[0-9a-f]{64}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE appointments DROP COLUMN request_fingerprint');
}
