import type { Knex } from 'knex';

/**
 * Privileges of the application role (least privilege): it reads and writes clinic's tables, may
 * only append to and read the audit log, reads which migrations ran, and nothing else. Identifiers
 * are bound (`??`), never pasted into the statement.
 */
export const AUDIT_LOG_TABLE = 'audit_log';
// The audit chain's head is moved only by the audit log's own (SECURITY DEFINER) trigger.
const AUDIT_CHAIN_HEAD_TABLE = 'audit_log_chain_head';
const MIGRATIONS_TABLE = 'knex_migrations';
const MIGRATIONS_LOCK_TABLE = 'knex_migrations_lock';

export interface RoleInfo {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
}

export async function findRole(db: Knex, role: string): Promise<RoleInfo | undefined> {
  const { rows } = await db.raw<{ rows: Array<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }> }>(
    'SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ?',
    [role],
  );
  const row = rows[0];
  return row ? { name: row.rolname, superuser: row.rolsuper, bypassRls: row.rolbypassrls } : undefined;
}

export interface SchemaInfo {
  database: string;
  schema: string;
  currentUser: string;
  /** Tables of the schema with whether the current user owns them (directly or through a role). */
  tables: Array<{ name: string; owner: string; ownedByCurrentUser: boolean }>;
}

export async function describeSchema(db: Knex): Promise<SchemaInfo> {
  const {
    rows: [where],
  } = await db.raw<{ rows: Array<{ database: string; schema: string; current_user: string }> }>(
    'SELECT current_database() AS database, current_schema() AS schema, current_user',
  );
  const { rows: tables } = await db.raw<{ rows: Array<{ name: string; owner: string; owned: boolean }> }>(
    "SELECT tablename AS name, tableowner AS owner, pg_has_role(current_user, tableowner, 'USAGE') AS owned FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
  );
  return {
    database: where!.database,
    schema: where!.schema,
    currentUser: where!.current_user,
    tables: tables.map((table) => ({ name: table.name, owner: table.owner, ownedByCurrentUser: table.owned })),
  };
}

export interface AppliedGrants {
  readWrite: string[];
  appendOnly: string[];
  readOnly: string[];
}

/** Replaces whatever the role had on the schema's tables and sequences with exactly the grants below. */
export async function applyApplicationGrants(trx: Knex.Transaction, role: string, schema: SchemaInfo): Promise<AppliedGrants> {
  const names = schema.tables.map((table) => table.name);
  const readWrite = names.filter((name) => ![AUDIT_LOG_TABLE, AUDIT_CHAIN_HEAD_TABLE, MIGRATIONS_TABLE, MIGRATIONS_LOCK_TABLE].includes(name));
  const appendOnly = names.filter((name) => name === AUDIT_LOG_TABLE);
  const readOnly = names.filter((name) => name === MIGRATIONS_TABLE || name === AUDIT_CHAIN_HEAD_TABLE);
  await trx.raw('REVOKE ALL ON ALL TABLES IN SCHEMA ?? FROM ??', [schema.schema, role]);
  await trx.raw('REVOKE ALL ON ALL SEQUENCES IN SCHEMA ?? FROM ??', [schema.schema, role]);
  // Imports stage rows in temporary tables.
  await trx.raw('GRANT CONNECT, TEMPORARY ON DATABASE ?? TO ??', [schema.database, role]);
  await trx.raw('GRANT USAGE ON SCHEMA ?? TO ??', [schema.schema, role]);
  if (readWrite.length > 0) await trx.raw('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ?? TO ??', [readWrite, role]);
  if (appendOnly.length > 0) await trx.raw('GRANT SELECT, INSERT ON TABLE ?? TO ??', [appendOnly, role]);
  if (readOnly.length > 0) await trx.raw('GRANT SELECT ON TABLE ?? TO ??', [readOnly, role]);
  await trx.raw('GRANT USAGE ON ALL SEQUENCES IN SCHEMA ?? TO ??', [schema.schema, role]);
  return { readWrite, appendOnly, readOnly };
}
