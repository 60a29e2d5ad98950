import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function dbStatusCommand(ctx: CliContext) {
  return new Command('status').description('show applied and pending migrations').action(async () => {
    const { schemaStatus } = await import('../../../domain/database/service.js');
    const { describeTarget } = await import('../../../db/target.js');
    const target = await ctx.target();
    const status = await schemaStatus(await ctx.anonymousDomain('none'));
    ctx.output.record({ ...status, database: describeTarget(target) }, [
      ['Database', describeTarget(target)],
      ['Applied', status.applied.length],
      ['Pending', `${status.pending.length}${status.pending.length ? ` (${status.pending.join(', ')})` : ''}`],
      ['State', status.upToDate ? 'up to date' : 'migrations pending: run `clinic db migrate`'],
    ]);
  });
}
