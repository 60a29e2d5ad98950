import type { DomainContext } from '../context.js';
import { isProduction } from '../environment.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import {
  assertSchemaUsable,
  countRows,
  migrateLatest,
  migrationStatus,
  resetMigrations,
  rollbackMigrations,
  tablesCreatedByMigration,
  type MigrationStatus,
  type TableRows,
} from '../../db/migrations.js';

export type { TableRows } from '../../db/migrations.js';

/**
 * Schema operations. They need no login: whoever holds the database URL or the data directory
 * already holds every row, and the first migration runs before any user exists.
 */
export interface SchemaStatus {
  backend: 'embedded' | 'postgres';
  applied: string[];
  pending: string[];
  upToDate: boolean;
  /** applied migrations whose rollback drops a table holding rows, latest first */
  dropsOnRollback: Array<{ migration: string; table: string; rows: number }>;
}

export async function schemaStatus(ctx: DomainContext): Promise<SchemaStatus> {
  const status = await usableStatus(ctx);
  const dropsOnRollback = (await dropsOf(ctx, status, [...status.applied].reverse())).flatMap((step) =>
    step.drops.filter((drop) => drop.rows > 0).map((drop) => ({ migration: step.migration, ...drop })),
  );
  return { backend: ctx.backend, applied: status.applied, pending: status.pending, upToDate: status.pending.length === 0, dropsOnRollback };
}

export async function migrateSchema(ctx: DomainContext): Promise<{ migrated: string[] }> {
  return { migrated: await migrateLatest(ctx.db) };
}

/** DESIGN §3: dropping data where CLINIC_ENV=production needs --force on top of the confirmation. */
export function assertDestructionAllowed(options: { environment: string | undefined; force: boolean; action: string }): void {
  if (isProduction(options.environment) && !options.force) {
    throw new ForbiddenError(`Refusing to ${options.action}: CLINIC_ENV is "production".`, {
      remedy: 'Add --force (and confirm) only if you really mean to drop production data.',
    });
  }
}

export interface RollbackStep {
  migration: string;
  /** the tables its down drops, with the rows they hold now */
  drops: TableRows[];
}

/** What a rollback would undo, latest first; nothing is changed. */
export interface RollbackPlan {
  steps: RollbackStep[];
}

/**
 * One migration by default (the latest); `to`: every migration after NAME, which stays applied
 * (the schema goes back to what it was right after NAME); `all`: every one.
 */
export async function planRollback(ctx: DomainContext, options: { to?: string | undefined; all?: boolean }): Promise<RollbackPlan> {
  const status = await usableStatus(ctx);
  const latestFirst = [...status.applied].reverse();
  let undo: string[];
  if (options.all) undo = latestFirst;
  else if (options.to !== undefined) undo = latestFirst.slice(0, latestFirst.indexOf(appliedMigrationNamed(status, options.to)));
  else undo = latestFirst.slice(0, 1);
  return { steps: await dropsOf(ctx, status, undo) };
}

export async function rollbackSchema(ctx: DomainContext, plan: RollbackPlan): Promise<{ rolledBack: string[]; dropped: TableRows[] }> {
  const rolledBack = await rollbackMigrations(
    ctx.db,
    plan.steps.map((step) => step.migration),
  );
  return { rolledBack, dropped: plan.steps.flatMap((step) => step.drops) };
}

/** What a reset would drop: every table of every applied migration. */
export interface ResetPlan {
  applied: string[];
  drops: TableRows[];
}

export async function planReset(ctx: DomainContext): Promise<ResetPlan> {
  const status = await usableStatus(ctx);
  const steps = await dropsOf(ctx, status, [...status.applied].reverse());
  return { applied: status.applied, drops: steps.flatMap((step) => step.drops) };
}

/** Drops every table of clinic's (all data, the audit log too) and builds the schema again. */
export async function resetSchema(ctx: DomainContext, plan: ResetPlan): Promise<{ rolledBack: string[]; migrated: string[]; dropped: TableRows[] }> {
  return { ...(await resetMigrations(ctx.db, plan.applied)), dropped: plan.drops };
}

async function usableStatus(ctx: DomainContext): Promise<MigrationStatus> {
  const status = await migrationStatus(ctx.db);
  assertSchemaUsable(status);
  return status;
}

async function dropsOf(ctx: DomainContext, status: MigrationStatus, migrations: readonly string[]): Promise<RollbackStep[]> {
  const counts = await countRows(ctx.db, migrations.flatMap(tablesCreatedByMigration), status.tables);
  return migrations.map((migration) => {
    const tables = tablesCreatedByMigration(migration);
    return { migration, drops: counts.filter((count) => tables.includes(count.table)) };
  });
}

/** By its full name, or by its timestamp alone (`20261125090700`). */
function appliedMigrationNamed(status: MigrationStatus, name: string): string {
  const found = status.applied.find((applied) => applied === name || applied.startsWith(`${name}_`));
  if (found === undefined) {
    throw new NotFoundError(`No applied migration is named "${name}".`, {
      remedy: '`clinic db status --json` lists the applied migrations; --to takes one of them (or its timestamp).',
    });
  }
  return found;
}
