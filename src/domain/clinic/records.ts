import { CLINIC_TABLES, type ClinicTable } from '../../db/repositories/clinic-tables.js';
import { ValidationError } from '../errors.js';

/** The first line of an NDJSON export, and the top of a JSON one or of a directory's manifest. */
export interface ExportHeader {
  format: 'clinic-export';
  version: 1;
  /** The last migration of the exporting database: an import needs the same schema. */
  schema: string;
  /** Whether users carry their bcrypt password hashes (`--include-credentials`). */
  credentials: boolean;
}

/** One row of one table, its columns in camelCase, every value as PostgreSQL wrote it in JSON. */
export interface ExportRecord {
  table: ClinicTable;
  row: Record<string, unknown>;
  /** where an import read it (`FILE line N`), for its messages */
  where?: string;
}

export const TABLE_NAMES: readonly ClinicTable[] = CLINIC_TABLES.map((table) => table.name);

export function isClinicTable(name: unknown): name is ClinicTable {
  return typeof name === 'string' && (TABLE_NAMES as readonly string[]).includes(name);
}

export const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Top-level keys only: a jsonb value (audit details) is kept exactly as stored. */
export function toFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [camel(column), value]));
}

export function toColumns(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([field, value]) => [snake(field), value]));
}

export function checkHeader(value: unknown, where: string): ExportHeader {
  const header = value as Partial<ExportHeader> | null;
  if (!header || typeof header !== 'object' || header.format !== 'clinic-export') {
    throw new ValidationError(`${where} is not a clinic export (its header has no "format":"clinic-export").`, {
      remedy: 'Give a file or directory written by `clinic export`.',
    });
  }
  if (header.version !== 1) throw new ValidationError(`${where} is a clinic export of version ${String(header.version)}; this clinic reads version 1.`);
  if (typeof header.schema !== 'string') throw new ValidationError(`${where} does not say which schema it was exported from.`);
  return { format: 'clinic-export', version: 1, schema: header.schema, credentials: header.credentials === true };
}

export function checkRecord(value: unknown, where: string): ExportRecord {
  const record = value as Partial<ExportRecord> | null;
  if (!record || typeof record !== 'object' || !isClinicTable(record.table) || !record.row || typeof record.row !== 'object' || Array.isArray(record.row)) {
    throw new ValidationError(`${where}: not a row of a clinic table (expected {"table":NAME,"row":{...}} with one of ${TABLE_NAMES.join(', ')}).`);
  }
  return { table: record.table, row: record.row, where };
}

/** NDJSON: the header, then one record per line. */
export function ndjsonLine(value: ExportHeader | ExportRecord): string {
  return `${JSON.stringify(value)}\n`;
}
