import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username citext NOT NULL UNIQUE
        CHECK (username::text ~ '^[a-z0-9][a-z0-9._-]{1,31}$'),
      full_name text NOT NULL CHECK (char_length(btrim(full_name)) BETWEEN 1 AND 200),
      email citext CHECK (email IS NULL OR email::text ~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'),
      role text NOT NULL CHECK (role IN ('admin', 'staff', 'doctor', 'patient')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
      password_hash text,
      password_changed_at timestamptz,
      failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
      first_failed_login_at timestamptz,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `);
  await knex.raw('CREATE INDEX users_role_idx ON users (role, status)');
  await knex.raw("CREATE INDEX users_name_search_idx ON users USING gin (clinic_fold(full_name || ' ' || username::text) gin_trgm_ops)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE users');
}
