import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { WAITLIST_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function waitlistListCommand(ctx: CliContext) {
  return new Command('list')
    .description('waitlist entries in the order freed slots are offered (earliest first)')
    .addHelpText('after', examples('clinic waitlist list', 'clinic waitlist list --doctor dr.silva --status FULFILLED --json'))
    .option('--doctor <doctor>', 'only this doctor (username or id)')
    .option('--patient <patient>', 'only this patient (username or id)')
    .option('--status <status>', 'WAITING (default), FULFILLED or REMOVED')
    .action(async (options) => {
      const { listWaitlist } = await import('../../../domain/waitlist/service.js');
      const entries = await listWaitlist(await ctx.domain(), options);
      ctx.output.list(entries, WAITLIST_COLUMNS, (entry) => entry, 'Nobody is waiting.');
    });
}
