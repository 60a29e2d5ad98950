import type { DomainContext } from '../context.js';
import { migrateLatest, migrationStatus, rollbackLast } from '../../db/migrations.js';

/**
 * Schema operations. They need no login: whoever holds the database URL or the data directory
 * already holds every row, and the first migration runs before any user exists.
 */
export interface SchemaStatus {
  backend: 'embedded' | 'postgres';
  applied: string[];
  pending: string[];
  upToDate: boolean;
}

export async function schemaStatus(ctx: DomainContext): Promise<SchemaStatus> {
  const { applied, pending } = await migrationStatus(ctx.db);
  return { backend: ctx.backend, applied, pending, upToDate: pending.length === 0 };
}

export async function migrateSchema(ctx: DomainContext): Promise<{ migrated: string[] }> {
  return { migrated: await migrateLatest(ctx.db) };
}

export async function rollbackSchema(ctx: DomainContext, options: { all: boolean }): Promise<{ rolledBack: string[] }> {
  return { rolledBack: await rollbackLast(ctx.db, options.all) };
}

/** Drops every table of clinic's (all data, the audit log too) and builds the schema again. */
export async function resetSchema(ctx: DomainContext): Promise<{ rolledBack: string[]; migrated: string[] }> {
  const rolledBack = await rollbackLast(ctx.db, true);
  const migrated = await migrateLatest(ctx.db);
  return { rolledBack, migrated };
}
