import type { Knex } from 'knex';
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
];

export const migrationNames: readonly string[] = migrations.map(([name]) => name);

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

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Which migrations are applied and pending, in one query; a database never migrated has all pending. */
export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const result = await knex.raw<{ rows: Array<{ name: string | null }> }>(
    'SELECT name FROM knex_migrations ORDER BY id',
  ).catch((error: { code?: string }) => {
    if (error.code === '42P01') return { rows: [] };
    throw error;
  });
  const applied = result.rows.map((row) => row.name).filter((name): name is string => name !== null);
  const done = new Set(applied);
  return { applied, pending: migrationNames.filter((name) => !done.has(name)) };
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, log] = (await knex.migrate.latest(migrationConfig)) as [number, string[]];
  return log;
}

export async function rollbackLast(knex: Knex, all = false): Promise<string[]> {
  const [, log] = (await knex.migrate.rollback(migrationConfig, all)) as [number, string[]];
  return log;
}
