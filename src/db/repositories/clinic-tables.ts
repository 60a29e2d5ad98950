import type { Knex } from 'knex';

/**
 * A clinic's tables in an order where every row's references come before it (appointments refer
 * to each other, which one statement's end-of-statement checks allow), each with the key that
 * orders its rows. `sessions` are never moved: they belong to one database's session files.
 * `api_tokens` hold token hashes: only `db copy` moves them (an export would be a credential).
 */
export const CLINIC_TABLES = [
  { name: 'users', key: ['id'] },
  { name: 'settings', key: ['key'] },
  { name: 'doctors', key: ['user_id'] },
  { name: 'doctor_hours', key: ['id'] },
  { name: 'doctor_timeoff', key: ['id'] },
  { name: 'patients', key: ['user_id'] },
  { name: 'doctor_patients', key: ['doctor_id', 'patient_id'] },
  { name: 'appointments', key: ['id'] },
  { name: 'waitlist', key: ['id'] },
  { name: 'messages', key: ['id'] },
  { name: 'api_tokens', key: ['id'] },
  { name: 'audit_log', key: ['id'] },
  { name: 'audit_log_chain_head', key: ['singleton'] },
] as const;

export type ClinicTable = (typeof CLINIC_TABLES)[number]['name'];

/** Tables that hold nothing in a database that holds no clinic yet (settings may hold defaults). */
export const CONTENT_TABLES: readonly ClinicTable[] = CLINIC_TABLES.map((table) => table.name).filter(
  (name) => name !== 'settings' && name !== 'audit_log_chain_head',
);

/** Where a page ends: its last row's key, to start the next page after. */
export type PageEnd = readonly Knex.Value[];

/**
 * One page of a table's rows as PostgreSQL's own JSON text (row_to_json): every type written so
 * that it reads back exactly (timestamps to the microsecond, bytea as hex, jsonb normalised).
 * Pages go by key (`WHERE key > the previous page's last`), so each one reads only its own rows
 * from the key's index, however far into the table it is. The caller runs it in a transaction
 * with TimeZone UTC.
 */
export async function readTablePage(
  db: Knex,
  table: (typeof CLINIC_TABLES)[number],
  after: PageEnd | undefined,
  limit: number,
): Promise<{ rows: string[]; last: PageEnd | undefined }> {
  const key = [...table.key];
  const columns = key.map(() => '??').join(', ');
  const keyValues = key.map((_, i) => `?? AS k${i}`).join(', ');
  const where = after ? `WHERE (${columns}) > (${key.map(() => '?').join(', ')})` : '';
  const result = await db.raw<{ rows: Array<Record<string, unknown> & { row: string }> }>(
    `SELECT row_to_json(t)::text AS row, ${keyValues} FROM ?? AS t ${where} ORDER BY ${columns} LIMIT ?`,
    [...key, table.name, ...(after ? [...key, ...after] : []), ...key, limit],
  );
  const lastRow = result.rows[result.rows.length - 1];
  return { rows: result.rows.map((row) => row.row), last: lastRow ? key.map((_, i) => lastRow[`k${i}`] as Knex.Value) : undefined };
}

/** Rows as JSON objects with the table's column names; columns left out are NULL. */
export async function insertTableRows(db: Knex, table: ClinicTable, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.raw('INSERT INTO ?? OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::??, ?::json)', [table, table, JSON.stringify(rows)]);
}

export async function countTable(db: Knex, table: ClinicTable): Promise<number> {
  const result = await db.raw<{ rows: Array<{ n: string }> }>('SELECT count(*) AS n FROM ??', [table]);
  return Number(result.rows[0]!.n);
}

export async function useUtc(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SET LOCAL TIME ZONE 'UTC'");
}

/**
 * Audit rows keep their own time, position and hashes: the chain trigger (which would restamp
 * them) is off for the loading transaction only, and needs the table's owner. The chain head is
 * loaded with them; then the id sequence continues after the last row.
 */
export async function suspendAuditChaining(trx: Knex.Transaction): Promise<void> {
  await trx.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain');
  await trx.raw('DELETE FROM audit_log_chain_head');
}

export async function resumeAuditChaining(trx: Knex.Transaction): Promise<void> {
  // An export always holds the head; without one, start from the genesis so the check below can judge the rows.
  await trx.raw("INSERT INTO audit_log_chain_head (seq, hash) SELECT 0, decode(repeat('00', 32), 'hex') WHERE NOT EXISTS (SELECT 1 FROM audit_log_chain_head)");
  await trx.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain');
  await trx.raw("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), max(id)) FROM audit_log HAVING max(id) IS NOT NULL");
}

export async function clearSettings(trx: Knex.Transaction): Promise<void> {
  await trx('settings').delete();
}
