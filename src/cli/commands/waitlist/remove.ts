import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderWaitlistEntry } from './render.js';
import { examples } from '../../help.js';

export function waitlistRemoveCommand(ctx: CliContext) {
  return new Command('remove')
    .description('take a WAITING entry off the waitlist')
    .addHelpText('after', examples('clinic waitlist remove 7d3e91c0', 'clinic waitlist remove 7d3e91c0 --json'))
    .argument('<id>', 'entry id, or at least its first 8 characters')
    .action(async (id) => {
      const { removeFromWaitlist } = await import('../../../domain/waitlist/service.js');
      const entry = await removeFromWaitlist(await ctx.domain(), id);
      ctx.output.success(`Removed ${entry.id.slice(0, 8)} from the waitlist.`);
      renderWaitlistEntry(ctx.output, entry);
    });
}
