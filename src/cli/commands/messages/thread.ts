import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { threadColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesThreadCommand(ctx: CliContext) {
  return new Command('thread')
    .description('the conversation between you and a user, oldest first (does not mark messages read)')
    .addHelpText('after', examples('clinic messages thread dr.silva', 'clinic messages thread dr.silva --json'))
    .argument('<user>', 'the other person, by username or id')
    .action(async (user) => {
      const { showThread } = await import('../../../domain/messages/service.js');
      ctx.output.list(await showThread(await ctx.domain(), user), threadColumns, undefined, `No messages between you and ${user}.`);
    });
}
