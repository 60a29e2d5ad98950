import type { Knex } from 'knex';
import { CLINIC_TABLES, readTablePage, useUtc, type PageEnd } from '../../db/repositories/clinic-tables.js';
import { migrationStatus } from '../../db/migrations.js';
import { recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { throwIfInterrupted } from '../interruption.js';
import { toFields, type ExportHeader, type ExportRecord } from './records.js';

const PAGE_ROWS = 2_000;

export interface ExportOptions {
  /** users' bcrypt hashes (nothing else secret is ever exported) */
  includeCredentials: boolean;
  /** API tokens' hashes too: only for `db copy`, which moves the clinic rather than exporting it */
  includeApiTokens?: boolean;
  /** the audit row's action: `clinic.export`, or `database.copy` */
  auditAction?: string;
}

export interface ClinicExport {
  header: ExportHeader;
  records: AsyncIterable<ExportRecord>;
  /** rows read per table, filled in as `records` is read: the snapshot's own counts */
  counts: Record<string, number>;
}

/**
 * The whole clinic, table by table in reference order, each table in key order, read in one
 * repeatable-read transaction (a consistent snapshot while others write). Export needs no
 * login, like the other operations on a whole database: holding the database URL or the data
 * directory already gives every row. One audit row records it once the last row is read.
 */
export async function exportClinic(ctx: DomainContext, options: ExportOptions): Promise<ClinicExport> {
  const applied = (await migrationStatus(ctx.db)).applied;
  const header: ExportHeader = { format: 'clinic-export', version: 1, schema: applied[applied.length - 1] ?? '', credentials: options.includeCredentials };
  const counts: Record<string, number> = {};
  return { header, records: readRecords(ctx, options, counts), counts };
}

async function* readRecords(ctx: DomainContext, options: ExportOptions, counts: Record<string, number>): AsyncGenerator<ExportRecord> {
  const trx = await ctx.db.transaction();
  try {
    await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await useUtc(trx);
    for (const table of CLINIC_TABLES) {
      if (table.name === 'api_tokens' && !options.includeApiTokens) continue;
      counts[table.name] = 0;
      for (let after: PageEnd | undefined; ;) {
        throwIfInterrupted(ctx.signal);
        const page = await readTablePage(trx, table, after, PAGE_ROWS);
        after = page.last;
        for (const text of page.rows) {
          const row = JSON.parse(text) as Record<string, unknown>;
          if (table.name === 'users' && !options.includeCredentials) delete row.password_hash;
          counts[table.name]!++;
          yield { table: table.name, row: toFields(row) };
        }
        if (page.rows.length < PAGE_ROWS) break;
      }
    }
    await trx.commit();
  } finally {
    if (!trx.isCompleted()) await trx.rollback();
  }
  await recordExport(ctx.db, options, counts);
}

async function recordExport(db: Knex, options: ExportOptions, counts: Record<string, number>): Promise<void> {
  await recordAudit(db, null, {
    action: options.auditAction ?? 'clinic.export',
    entity: 'clinic',
    details: { credentials: options.includeCredentials, rows: counts },
  });
}
