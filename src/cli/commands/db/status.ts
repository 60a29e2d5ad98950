import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function dbStatusCommand(ctx: CliContext) {
  return new Command('status')
    .description('show applied and pending migrations, and which rollbacks would drop rows')
    .addHelpText('after', examples('clinic db status', 'clinic db status --json'))
    .action(async () => {
      const { schemaStatus } = await import('../../../domain/database/service.js');
      const { describeTarget } = await import('../../../db/target.js');
      const target = await ctx.target();
      const status = await schemaStatus(await ctx.anonymousDomain('none'));
      const latest = status.applied[status.applied.length - 1];
      ctx.output.record({ ...status, database: describeTarget(target) }, [
        ['Database', describeTarget(target)],
        ['Applied', `${status.applied.length}${latest ? ` (latest ${latest})` : ''}`],
        ['Pending', `${status.pending.length}${status.pending.length ? ` (${status.pending.join(', ')})` : ''}`],
        ...status.dropsOnRollback.map(
          (drop) => ['Drops data', `Rolling back ${drop.migration} drops ${drop.rows} ${drop.rows === 1 ? 'row' : 'rows'} of table ${drop.table}.`] as const,
        ),
        ['State', status.upToDate ? 'up to date' : 'migrations pending: run `clinic db migrate`'],
      ]);
    });
}
