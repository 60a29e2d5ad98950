import type { Knex } from 'knex';

// The audit log is append-only in the database itself: UPDATE, DELETE and TRUNCATE raise,
// whoever connects. It never holds passwords, tokens or message bodies.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      actor text,
      action text NOT NULL,
      entity text,
      entity_id text,
      patient_id uuid,
      outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
      details jsonb
    )
  `);
  await knex.raw('CREATE INDEX audit_log_at_idx ON audit_log (at)');
  await knex.raw('CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at)');
  await knex.raw('CREATE INDEX audit_log_patient_idx ON audit_log (patient_id, at) WHERE patient_id IS NOT NULL');
  await knex.raw(`
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$
  `);
  await knex.raw(`
    CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
  `);
  await knex.raw(`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE audit_log');
  await knex.raw('DROP FUNCTION audit_log_append_only()');
}
