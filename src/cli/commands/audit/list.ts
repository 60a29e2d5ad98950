import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { ALL_HELP, LIMIT_HELP, listLimit, wholeNumber } from '../../options.js';
import type { AuditEntryView } from '../../../domain/audit/list.js';
import type { Column } from '../../output.js';
import { examples } from '../../help.js';

const AUDIT_COLUMNS: ReadonlyArray<Column<AuditEntryView>> = [
  { header: 'ID', value: (entry) => entry.id },
  { header: 'AT', value: (entry) => entry.at },
  { header: 'ACTOR', value: (entry) => entry.actor },
  { header: 'ACTION', value: (entry) => entry.action },
  { header: 'OUTCOME', value: (entry) => entry.outcome },
  { header: 'ENTITY', value: (entry) => (entry.entity ? `${entry.entity}${entry.entityId ? ` ${entry.entityId}` : ''}` : '') },
  { header: 'DETAILS', value: (entry) => entry.details, fit: true },
];

export function auditListCommand(ctx: CliContext) {
  return new Command('list')
    .description('the audit log, newest first (admin)')
    .addHelpText(
      'after',
      examples(
        'clinic audit list',
        'clinic audit list --patient pt.ana.quinn --since 2026-11-01',
        "clinic audit list --actor rita.m --action 'appointments.*' --all --json",
      ),
    )
    .option('--actor <user>', 'by this user (username or id; also failed logins under that name)')
    .option('--patient <patient>', 'about this patient (username or id)')
    .option('--action <action>', "this action, e.g. session.login, or a prefix such as 'users.*'")
    .option('--since <date>', 'from this date (YYYY-MM-DD, clinic time zone) or ISO date-time')
    .option('--limit <n>', LIMIT_HELP, wholeNumber())
    .option('--all', ALL_HELP)
    .action(async ({ all, ...options }) => {
      const limit = listLimit({ limit: options.limit, all });
      const { listAudit } = await import('../../../domain/audit/list.js');
      const page = await listAudit(await ctx.domain(), { ...options, limit });
      ctx.output.page(page, AUDIT_COLUMNS, (entry) => entry, 'No audit entries.', 'audit entries');
    });
}
