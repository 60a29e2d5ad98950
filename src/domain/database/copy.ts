import { countTable, type ClinicTable } from '../../db/repositories/clinic-tables.js';
import { migrationStatus, assertSchemaUsable } from '../../db/migrations.js';
import { exportClinic } from '../clinic/export.js';
import { importClinic } from '../clinic/import.js';
import type { DomainContext } from '../context.js';
import { DatabaseUnavailableError, IntegrityError } from '../errors.js';

export interface CopySummary {
  /** rows per table, the same in the source's snapshot and in the target */
  tables: Record<string, number>;
  auditHead: string;
}

/**
 * `db copy`: the whole current database (users with their password hashes, API tokens, every
 * clinic row, the audit log with its hashes) into an empty, migrated database, in one target
 * transaction; then each table's row count is compared with the source's snapshot and the
 * target's audit chain is verified. Sessions are not copied: logins are per database.
 */
export async function copyDatabase(source: DomainContext, target: DomainContext, targetName: string): Promise<CopySummary> {
  const status = await migrationStatus(target.db);
  assertSchemaUsable(status);
  if (status.pending.length > 0) {
    throw new DatabaseUnavailableError(`The target ${targetName} is not migrated: ${status.pending.length} migration(s) pending.`, {
      reason: 'PENDING_MIGRATIONS',
      remedy: 'Run `clinic db migrate` on the target first (with --database-url set to it).',
    });
  }
  const clinic = await exportClinic(source, { includeCredentials: true, includeApiTokens: true, auditAction: 'database.copy' });
  const loaded = await importClinic(target, clinic.header, clinic.records);
  for (const [table, rows] of Object.entries(clinic.counts)) {
    const copied = await countTable(target.db, table as ClinicTable);
    if (copied !== rows)
      throw new IntegrityError(`The copy of ${table} holds ${copied} rows, the source ${rows}.`, {
        remedy: 'Drop the target database, create it again and repeat the copy.',
      });
  }
  return { tables: clinic.counts, auditHead: loaded.auditHead };
}
