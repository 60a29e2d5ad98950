import type { Knex } from 'knex';
import {
  CLINIC_TABLES,
  CONTENT_TABLES,
  clearSettings,
  countTable,
  insertTableRows,
  resumeAuditChaining,
  suspendAuditChaining,
  useUtc,
  type ClinicTable,
} from '../../db/repositories/clinic-tables.js';
import { migrationStatus } from '../../db/migrations.js';
import { constraintName, duplicateKey, sqlState } from '../../db/pg-errors.js';
import { checkAuditChain } from '../audit/verify.js';
import type { DomainContext } from '../context.js';
import { ConflictError, IntegrityError, ValidationError } from '../errors.js';
import { throwIfInterrupted } from '../interruption.js';
import { camel, toColumns, type ExportHeader, type ExportRecord } from './records.js';

const BATCH_ROWS = 500;

export interface ImportSummary {
  /** rows loaded per table, in load order */
  tables: Record<string, number>;
  auditHead: string;
}

/**
 * Loads an export into an empty clinic in one transaction (all or nothing), every row with its
 * id and every field as exported. The audit log keeps its rows, positions and hashes, so the
 * chain stays the one that was exported; it is verified before the commit. Like export, it needs
 * no login (there is no user yet), but it needs the owner of the tables (it suspends the audit
 * chain's trigger for its own transaction).
 */
export async function importClinic(ctx: DomainContext, header: ExportHeader, records: AsyncIterable<ExportRecord>): Promise<ImportSummary> {
  await assertSameSchema(ctx.db, header);
  return ctx.db.transaction(async (trx) => {
    await assertEmptyClinic(trx);
    await useUtc(trx);
    await clearSettings(trx);
    await suspendAuditChaining(trx);
    const tables = await load(ctx, trx, records);
    await resumeAuditChaining(trx);
    const chain = await checkAuditChain(trx);
    if (!chain.ok) throw new IntegrityError(`The export's audit log does not form an intact hash chain: ${chain.message} Nothing was imported.`);
    return { tables, auditHead: chain.head };
  });
}

async function assertSameSchema(db: Knex, header: ExportHeader): Promise<void> {
  const applied = (await migrationStatus(db)).applied;
  const schema = applied[applied.length - 1] ?? '';
  if (schema !== header.schema) {
    throw new ValidationError(`The export was made with schema ${header.schema}, and this database is at ${schema}.`, {
      remedy: 'Import with the same version of clinic that exported it (or migrate both to the same version first).',
    });
  }
}

/** "Empty": migrated, with no user, appointment, message, audit row or any other clinic row; settings are replaced. */
export async function assertEmptyClinic(db: Knex): Promise<void> {
  const busy: string[] = [];
  for (const table of [...CONTENT_TABLES, 'sessions' as ClinicTable]) {
    const rows = await countTable(db, table);
    if (rows > 0) busy.push(`${table} (${rows})`);
  }
  if (busy.length > 0) {
    throw new ConflictError(`The database already holds a clinic: ${busy.join(', ')}.`, {
      reason: 'NOT_EMPTY',
      remedy: 'Import into a new database (a new --data-dir, or an empty PostgreSQL database after `clinic db migrate`).',
    });
  }
}

async function load(ctx: DomainContext, trx: Knex.Transaction, records: AsyncIterable<ExportRecord>): Promise<Record<string, number>> {
  const order = CLINIC_TABLES.map((table) => table.name);
  const tables: Record<string, number> = {};
  let current: ClinicTable | undefined;
  let batch: ExportRecord[] = [];
  const flush = async () => {
    throwIfInterrupted(ctx.signal);
    if (current !== undefined) {
      const table = current;
      await insertTableRows(
        trx,
        table,
        batch.map((record) => toColumns(record.row)),
      ).catch((error: unknown) => {
        throw repeatedRowError(error, table, batch) ?? refusedValueError(error, table, batch) ?? error;
      });
    }
    batch = [];
  };
  for await (const record of records) {
    if (record.table !== current) {
      await flush();
      if (current !== undefined && order.indexOf(record.table) < order.indexOf(current)) {
        throw new ValidationError(`Rows of ${record.table} come after rows of ${current}: an export lists its tables in the order ${order.join(', ')}.`);
      }
      current = record.table;
    }
    batch.push(record);
    tables[record.table] = (tables[record.table] ?? 0) + 1;
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  return tables;
}

/**
 * A value the database's own rules refuse (a CHECK or NOT NULL constraint): the table and, when it
 * is one column's rule (PostgreSQL names those TABLE_COLUMN_check), the field; never the
 * constraint's name, nor the failing row PostgreSQL describes (it holds the whole row).
 */
function refusedValueError(error: unknown, table: ClinicTable, batch: readonly ExportRecord[]): ValidationError | undefined {
  const state = sqlState(error);
  if (state !== '23514' && state !== '23502') return undefined;
  const column = (error as { column?: string }).column ?? constraintName(error)?.match(new RegExp(`^${table}_([a-z0-9_]+)_check$`))?.[1];
  const field = column !== undefined && batch.some((record) => camel(column) in record.row) ? camel(column) : undefined;
  const what =
    state === '23502' ? `no ${field ?? 'value'} where the database needs one` : `${field === undefined ? 'a value' : `a ${field}`} that the database refuses`;
  return new ValidationError(`A ${table} row of the export has ${what}. Nothing was imported.`, {
    cause: error,
    remedy: 'Correct the row (or export again from the source clinic) and import again.',
  });
}

/**
 * A unique key given twice (the clinic was empty, so both rows are the export's): the table, the
 * key and where the repeat was read, instead of the constraint's name. Of two rows of the batch
 * with that key the second is the repeat; of one, an earlier batch held the first.
 */
function repeatedRowError(error: unknown, table: ClinicTable, batch: readonly ExportRecord[]): ConflictError | undefined {
  const key = duplicateKey(error);
  if (!key) return undefined;
  const keyOf = (record: ExportRecord) => key.columns.map((column) => String(record.row[camel(column)] ?? '')).join(', ');
  let matches = batch.filter((record) => keyOf(record) === key.values);
  if (matches.length === 0) matches = batch.filter((record) => keyOf(record).toLowerCase() === key.values.toLowerCase());
  const repeat = matches[matches.length > 1 ? 1 : 0];
  const fields = key.columns.map(camel).join(', ');
  return new ConflictError(
    `The export holds two ${table} rows with the same ${fields} (${key.values})${repeat?.where ? `: the second at ${repeat.where}` : ''}. Nothing was imported.`,
    { cause: error, reason: 'ALREADY_EXISTS', remedy: 'Remove the repeated row (`clinic export` writes each row once) and import again.' },
  );
}
