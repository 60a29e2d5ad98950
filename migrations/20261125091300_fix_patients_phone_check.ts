import type { Knex } from 'knex';

// The first patients migration wrote `\+?` inside knex.raw, which took the `?` for a binding and
// stored the check as `^\+$1...`: no phone number could ever be saved. `{0,1}` says the same
// without a question mark.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE patients DROP CONSTRAINT patients_phone_check');
  await knex.raw(`ALTER TABLE patients ADD CONSTRAINT patients_phone_check CHECK (phone IS NULL OR phone ~ '^[+]{0,1}[0-9 ()./-]{5,30}$')`);
}

// Going back to a check that refuses every phone number would fail on any stored one; the
// corrected check is kept.
export async function down(): Promise<void> {}
