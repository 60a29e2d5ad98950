import type { Knex } from 'knex';

// The front desk finds a patient by date of birth or by phone number as often as by name
// (`patients list --search 1980-04-02`, `--search "912 345 678"`): an index for each, so that
// neither reads every patient. A phone number is matched on its digits from the end (one typed
// without its country code still matches), so the index holds them reversed, for LIKE 'prefix%'.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX patients_date_of_birth_idx ON patients (date_of_birth) WHERE date_of_birth IS NOT NULL');
  await knex.raw(
    "CREATE INDEX patients_phone_digits_idx ON patients ((reverse(regexp_replace(phone, '[^0-9]', '', 'g'))) text_pattern_ops) WHERE phone IS NOT NULL",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX patients_phone_digits_idx');
  await knex.raw('DROP INDEX patients_date_of_birth_idx');
}
