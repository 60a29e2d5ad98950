import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { ALL_HELP, LIMIT_HELP, listLimit, wholeNumber } from '../../options.js';
import { inboxColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesInboxCommand(ctx: CliContext) {
  return printsFields(new Command('inbox'), async () => (await import('../../../domain/messages/view.js')).MESSAGE_VIEW_FIELDS)
    .description('messages sent to you, newest first')
    .addHelpText('after', examples('clinic messages inbox', 'clinic messages inbox --unread', 'clinic messages inbox --all --json'))
    .option('--unread', 'only messages you have not read')
    .option('--limit <n>', LIMIT_HELP, wholeNumber())
    .option('--all', ALL_HELP)
    .action(async (options) => {
      const limit = listLimit(options);
      const { listInbox } = await import('../../../domain/messages/service.js');
      const page = await listInbox(await ctx.domain(), { unreadOnly: options.unread === true, limit });
      ctx.output.page(page, inboxColumns, (message) => message, options.unread ? 'No unread messages.' : 'No messages.', 'messages');
    });
}
