import type { Knex } from 'knex';

/*
 * Makes the audit log tamper-evident. A BEFORE INSERT trigger stamps every row with the
 * database's clock (whatever the client sent), gives it the next position in the chain (`seq`,
 * gapless from 1) and hash = sha256(prev_hash || canonical content), where prev_hash is the hash
 * of the row before it; the first row follows the genesis hash (32 zero bytes). The chain head
 * (last position and hash) lives in a one-row table whose row the trigger locks, so concurrent
 * inserts line up in commit order and a rolled-back insert leaves no fork. The trigger runs as
 * the owner (SECURITY DEFINER): a writer needs INSERT on audit_log and nothing on the head.
 * Rows that exist when this runs are chained in id order, their `at` kept as it was.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE audit_log_chain_head (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      seq bigint NOT NULL,
      hash bytea NOT NULL
    )
  `);
  await knex.raw('ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea');
  // The canonical content: the row's fields in a fixed order as JSON text, `at` in UTC to the microsecond.
  await knex.raw(`
    CREATE FUNCTION audit_log_row_hash(prev_hash bytea, entry audit_log) RETURNS bytea
      LANGUAGE sql STABLE PARALLEL SAFE
    RETURN sha256(prev_hash || convert_to(jsonb_build_array(
      entry.seq, entry.id, to_char(entry.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      entry.actor_id, entry.actor, entry.action, entry.entity, entry.entity_id, entry.patient_id,
      entry.outcome, entry.details)::text, 'UTF8'))
  `);
  await knex.raw(`
    CREATE FUNCTION audit_log_chain() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
    DECLARE
      head audit_log_chain_head%ROWTYPE;
    BEGIN
      SELECT * INTO STRICT head FROM audit_log_chain_head FOR UPDATE;
      NEW.at := clock_timestamp();
      NEW.seq := head.seq + 1;
      NEW.prev_hash := head.hash;
      NEW.hash := audit_log_row_hash(head.hash, NEW);
      UPDATE audit_log_chain_head SET seq = NEW.seq, hash = NEW.hash;
      RETURN NEW;
    END
    $$
  `);
  await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
  await knex.raw(`
    DO $$
    DECLARE
      entry audit_log;
      n bigint := 0;
      previous bytea := decode(repeat('00', 32), 'hex');
    BEGIN
      FOR entry IN SELECT * FROM audit_log ORDER BY id LOOP
        n := n + 1;
        entry.seq := n;
        UPDATE audit_log SET seq = n, prev_hash = previous, hash = audit_log_row_hash(previous, entry) WHERE id = entry.id
          RETURNING hash INTO previous;
      END LOOP;
      INSERT INTO audit_log_chain_head (seq, hash) VALUES (n, previous);
    END
    $$
  `);
  await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
  await knex.raw('ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX audit_log_seq_key ON audit_log (seq)');
  await knex.raw('CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER audit_log_chain ON audit_log');
  await knex.raw('DROP FUNCTION audit_log_chain()');
  await knex.raw('DROP FUNCTION audit_log_row_hash(bytea, audit_log)');
  await knex.raw('DROP INDEX audit_log_seq_key');
  await knex.raw('ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash');
  await knex.raw('DROP TABLE audit_log_chain_head');
}
