import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { sentColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesSentCommand(ctx: CliContext) {
  return new Command('sent')
    .description('messages you sent, newest first')
    .addHelpText('after', examples('clinic messages sent', 'clinic messages sent --json'))
    .action(async () => {
      const { listSent } = await import('../../../domain/messages/service.js');
      ctx.output.list(await listSent(await ctx.domain()), sentColumns, undefined, 'No sent messages.');
    });
}
