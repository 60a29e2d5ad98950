import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { inboxColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesInboxCommand(ctx: CliContext) {
  return new Command('inbox')
    .description('messages sent to you, newest first')
    .addHelpText('after', examples('clinic messages inbox', 'clinic messages inbox --unread', 'clinic messages inbox --json'))
    .option('--unread', 'only messages you have not read')
    .action(async (options) => {
      const { listInbox } = await import('../../../domain/messages/service.js');
      const messages = await listInbox(await ctx.domain(), { unreadOnly: options.unread === true });
      ctx.output.list(messages, inboxColumns, undefined, options.unread ? 'No unread messages.' : 'No messages.');
    });
}
