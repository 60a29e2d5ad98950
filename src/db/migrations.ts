import type { Knex } from 'knex';
import { ConflictError, DatabaseUnavailableError } from './errors.js';
import { SqlState, sqlState } from './pg-errors.js';
import * as enableExtensions from '../../migrations/20261125090000_enable_extensions.js';
import * as createUsers from '../../migrations/20261125090100_create_users.js';
import * as createDoctors from '../../migrations/20261125090200_create_doctors.js';
import * as createDoctorHours from '../../migrations/20261125090300_create_doctor_hours.js';
import * as createDoctorTimeoff from '../../migrations/20261125090400_create_doctor_timeoff.js';
import * as createPatients from '../../migrations/20261125090500_create_patients.js';
import * as createDoctorPatients from '../../migrations/20261125090600_create_doctor_patients.js';
import * as createAppointments from '../../migrations/20261125090700_create_appointments.js';
import * as createMessages from '../../migrations/20261125090800_create_messages.js';
import * as createSessions from '../../migrations/20261125090900_create_sessions.js';
import * as createApiTokens from '../../migrations/20261125091000_create_api_tokens.js';
import * as createSettings from '../../migrations/20261125091100_create_settings.js';
import * as createAuditLog from '../../migrations/20261125091200_create_audit_log.js';
import * as fixPatientsPhoneCheck from '../../migrations/20261125091300_fix_patients_phone_check.js';
import * as chainAuditLog from '../../migrations/20261201090000_chain_audit_log.js';
import * as addAppointmentRequestFingerprint from '../../migrations/20261202090000_add_appointment_request_fingerprint.js';
import * as addAppointmentSeries from '../../migrations/20261202100000_add_appointment_series.js';
import * as createWaitlist from '../../migrations/20261202100100_create_waitlist.js';
import * as addAppointmentRemindedAt from '../../migrations/20261202110000_add_appointment_reminded_at.js';
import * as indexAppointmentReschedules from '../../migrations/20261203090000_index_appointment_reschedules.js';
import * as indexPatientLookups from '../../migrations/20261204090000_index_patient_lookups.js';

/**
 * Migrations are imported statically so that the built CLI, the tests (through vitest) and the
 * knex CLI (knexfile.ts) all run the same list under the same names, whatever the file extension.
 */
const migrations: ReadonlyArray<readonly [string, Knex.Migration]> = [
  ['20261125090000_enable_extensions', enableExtensions],
  ['20261125090100_create_users', createUsers],
  ['20261125090200_create_doctors', createDoctors],
  ['20261125090300_create_doctor_hours', createDoctorHours],
  ['20261125090400_create_doctor_timeoff', createDoctorTimeoff],
  ['20261125090500_create_patients', createPatients],
  ['20261125090600_create_doctor_patients', createDoctorPatients],
  ['20261125090700_create_appointments', createAppointments],
  ['20261125090800_create_messages', createMessages],
  ['20261125090900_create_sessions', createSessions],
  ['20261125091000_create_api_tokens', createApiTokens],
  ['20261125091100_create_settings', createSettings],
  ['20261125091200_create_audit_log', createAuditLog],
  ['20261125091300_fix_patients_phone_check', fixPatientsPhoneCheck],
  ['20261201090000_chain_audit_log', chainAuditLog],
  ['20261202090000_add_appointment_request_fingerprint', addAppointmentRequestFingerprint],
  ['20261202100000_add_appointment_series', addAppointmentSeries],
  ['20261202100100_create_waitlist', createWaitlist],
  ['20261202110000_add_appointment_reminded_at', addAppointmentRemindedAt],
  ['20261203090000_index_appointment_reschedules', indexAppointmentReschedules],
  ['20261204090000_index_patient_lookups', indexPatientLookups],
];

export const migrationNames: readonly string[] = migrations.map(([name]) => name);

/**
 * The tables each migration creates, hence drops when it is rolled back: what `db rollback`,
 * `db reset` and `db status` name with their row counts. A migration that creates no table needs
 * no entry (test/db/migrations.test.ts checks this list against what each down really drops).
 */
const tablesCreatedBy: Readonly<Record<string, readonly string[]>> = {
  '20261125090100_create_users': ['users'],
  '20261125090200_create_doctors': ['doctors'],
  '20261125090300_create_doctor_hours': ['doctor_hours'],
  '20261125090400_create_doctor_timeoff': ['doctor_timeoff'],
  '20261125090500_create_patients': ['patients'],
  '20261125090600_create_doctor_patients': ['doctor_patients'],
  '20261125090700_create_appointments': ['appointments'],
  '20261125090800_create_messages': ['messages'],
  '20261125090900_create_sessions': ['sessions'],
  '20261125091000_create_api_tokens': ['api_tokens'],
  '20261125091100_create_settings': ['settings'],
  '20261125091200_create_audit_log': ['audit_log'],
  '20261201090000_chain_audit_log': ['audit_log_chain_head'],
  '20261202100100_create_waitlist': ['waitlist'],
};

export function tablesCreatedByMigration(name: string): readonly string[] {
  return tablesCreatedBy[name] ?? [];
}

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => [...migrationNames],
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = migrations.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  },
};

export const migrationConfig: Knex.MigratorConfig = {
  migrationSource,
  tableName: 'knex_migrations',
};

const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

export interface MigrationStatus {
  /** clinic's migrations in the database, oldest first */
  applied: string[];
  pending: string[];
  /** names in knex_migrations that this clinic does not know: a newer clinic's, or another application's */
  unknown: string[];
  /** tables of the schema that are not knex's own bookkeeping */
  tables: string[];
}

/** Which migrations are applied and pending; a database never migrated has all pending. */
export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  // The catalog first: selecting from a missing knex_migrations would abort an enclosing transaction.
  const relations = await knex.raw<{ rows: Array<{ name: string }> }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
  );
  const relationNames = relations.rows.map((row) => row.name);
  const recorded = relationNames.includes('knex_migrations')
    ? (await knex.raw<{ rows: Array<{ name: string | null }> }>('SELECT name FROM knex_migrations ORDER BY id')).rows
        .map((row) => row.name)
        .filter((name): name is string => name !== null)
    : [];
  const known = new Set(migrationNames);
  const applied = recorded.filter((name) => known.has(name));
  const done = new Set(applied);
  return {
    applied,
    pending: migrationNames.filter((name) => !done.has(name)),
    unknown: recorded.filter((name) => !known.has(name)),
    tables: relationNames.filter((name) => !KNEX_TABLES.includes(name)),
  };
}

/**
 * The check every command makes before its own statements, in one statement when the database has
 * clinic's migrations (the usual case): their names alone decide it, since the foreign tables
 * matter only to a database without any. A database without knex_migrations, or with none of
 * clinic's, gets the whole `migrationStatus`. Not for use inside a transaction (a missing table
 * would abort it).
 */
export async function schemaCheck(knex: Knex): Promise<SchemaCheck> {
  let recorded: string[];
  try {
    recorded = (await knex.raw<{ rows: Array<{ name: string | null }> }>('SELECT name FROM knex_migrations ORDER BY id')).rows
      .map((row) => row.name)
      .filter((name): name is string => name !== null);
  } catch (error) {
    if (sqlState(error) === SqlState.undefinedTable) return migrationStatus(knex);
    throw error;
  }
  const known = new Set(migrationNames);
  const applied = recorded.filter((name) => known.has(name));
  if (applied.length === 0) return migrationStatus(knex);
  const done = new Set(applied);
  return { applied, pending: migrationNames.filter((name) => !done.has(name)), unknown: recorded.filter((name) => !known.has(name)) };
}

/** What `assertSchemaUsable` needs: the tables only when no clinic migration is applied. */
export type SchemaCheck = Omit<MigrationStatus, 'tables'> & { tables?: string[] };

/**
 * Refuses a database this clinic must not touch (exit 8): one migrated by a newer clinic, whose
 * schema this version does not know, and one that belongs to another application.
 */
export function assertSchemaUsable(status: SchemaCheck): void {
  if (status.applied.length > 0 && status.unknown.length > 0) {
    const databaseLatest = status.unknown[status.unknown.length - 1]!;
    const clinicLatest = migrationNames[migrationNames.length - 1]!;
    throw new DatabaseUnavailableError(
      `This database was migrated by a newer version of clinic: its latest migration is ${databaseLatest}, ` +
        `but this clinic knows migrations only up to ${clinicLatest}.`,
      {
        remedy: 'Upgrade clinic to the version that migrated this database (or a later one) and run the command again.',
        details: { databaseLatest, clinicLatest },
      },
    );
  }
  const tables = status.tables ?? [];
  if (status.applied.length === 0 && (tables.length > 0 || status.unknown.length > 0)) {
    const what = tables.length > 0 ? `tables clinic did not create: ${tables.join(', ')}` : `migrations clinic does not know (${status.unknown.join(', ')})`;
    throw new DatabaseUnavailableError(`This database holds ${what}. It belongs to another application.`, {
      remedy: 'Give clinic an empty database of its own (--database-url or --data-dir); clinic does not migrate or use a database with foreign tables.',
      details: { foreignTables: tables },
    });
  }
}

// Any fixed number: every clinic process takes the same one, and no other lock in the schema uses it.
const MIGRATION_LOCK_KEY = '7236828466318159617';

/**
 * Runs schema work alone: in one transaction that first takes a PostgreSQL advisory lock, so that
 * processes migrating a new database at once queue behind each other (the later ones then find
 * nothing to do) instead of failing on knex's lock table or on `CREATE TABLE` races. Being one
 * transaction, a failed or killed run changes nothing, and knex's own lock is never left set.
 */
async function exclusively<T>(knex: Knex, work: (trx: Knex.Transaction, status: MigrationStatus) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [MIGRATION_LOCK_KEY]);
    const status = await migrationStatus(trx);
    assertSchemaUsable(status);
    await releaseStaleKnexLock(trx);
    return work(trx, status);
  });
}

/**
 * Every clinic migrator holds the advisory lock, so a knex lock found set now was left by a
 * migrator killed outside this scheme (the knex CLI, an older clinic); knex would refuse with
 * "Migration table is already locked" forever.
 */
async function releaseStaleKnexLock(trx: Knex.Transaction): Promise<void> {
  if (await trx.schema.hasTable('knex_migrations_lock')) await trx('knex_migrations_lock').update({ is_locked: 0 });
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  return exclusively(knex, (trx) => applyPending(trx));
}

async function applyPending(trx: Knex.Transaction): Promise<string[]> {
  const [, log] = (await trx.migrate.latest(migrationConfig)) as [number, string[]];
  return log;
}

/**
 * Undoes exactly the migrations named (latest first), one down at a time, provided they are still
 * the latest applied ones: a schema changed since the caller looked is refused, not guessed at.
 */
export async function rollbackMigrations(knex: Knex, names: readonly string[]): Promise<string[]> {
  return exclusively(knex, async (trx, status) => {
    assertLatestApplied(status, names);
    return undo(trx, names);
  });
}

/** Undoes every applied migration (those expected: see rollbackMigrations) and applies all again. */
export async function resetMigrations(knex: Knex, expectedApplied: readonly string[]): Promise<{ rolledBack: string[]; migrated: string[] }> {
  return exclusively(knex, async (trx, status) => {
    if (status.applied.length !== expectedApplied.length) throw schemaChanged();
    const names = [...expectedApplied].reverse();
    assertLatestApplied(status, names);
    const rolledBack = await undo(trx, names);
    return { rolledBack, migrated: await applyPending(trx) };
  });
}

/** The latest applied migration, or all of them; for tests and scripts that need no confirmation. */
export async function rollbackLast(knex: Knex, all = false): Promise<string[]> {
  const { applied } = await migrationStatus(knex);
  return rollbackMigrations(knex, all ? [...applied].reverse() : applied.slice(-1));
}

async function undo(trx: Knex.Transaction, names: readonly string[]): Promise<string[]> {
  const undone: string[] = [];
  for (const name of names) {
    await trx.migrate.down({ ...migrationConfig, name });
    undone.push(name);
  }
  return undone;
}

function assertLatestApplied(status: MigrationStatus, names: readonly string[]): void {
  const latest = status.applied.slice(status.applied.length - names.length).reverse();
  if (names.length > status.applied.length || latest.some((name, i) => name !== names[i])) throw schemaChanged();
}

const schemaChanged = () =>
  new ConflictError('The schema changed while this command ran (another process migrated or rolled back).', {
    remedy: 'Check `clinic db status` and run the command again.',
  });

export interface TableRows {
  table: string;
  rows: number;
}

/** Exact row counts of the tables given that exist, in one query. */
export async function countRows(knex: Knex, tables: readonly string[], existing: readonly string[]): Promise<TableRows[]> {
  const present = tables.filter((table) => existing.includes(table));
  if (present.length === 0) return [];
  const [first, ...rest] = present.map((table) => knex(table).select(knex.raw('?::text AS "table"', [table]), knex.raw('count(*)::int AS rows')));
  const rows = (await (rest.length > 0 ? first!.unionAll(rest, true) : first!)) as unknown as TableRows[];
  const byTable = new Map(rows.map((row) => [row.table, Number(row.rows)]));
  return present.map((table) => ({ table, rows: byTable.get(table) ?? 0 }));
}
