import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderMessage } from './render.js';
import { examples } from '../../help.js';

export function messagesReadCommand(ctx: CliContext) {
  return new Command('read')
    .description('show a whole message; reading one sent to you marks it read')
    .addHelpText('after', examples('clinic messages read 8d2e41b7', 'clinic messages read 8d2e41b7 --json'))
    .argument('<id>', 'the message id, or a unique prefix of at least 8 characters')
    .action(async (id) => {
      const { readMessage } = await import('../../../domain/messages/service.js');
      renderMessage(ctx.output, await readMessage(await ctx.domain(), id));
    });
}
