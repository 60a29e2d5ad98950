import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { listLimit, wholeNumber } from '../../options.js';
import { threadColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesThreadCommand(ctx: CliContext) {
  return printsFields(new Command('thread'), async () => (await import('../../../domain/messages/view.js')).MESSAGE_VIEW_FIELDS)
    .description('the conversation between you and a user, oldest first: its latest 50 messages unless --limit or --all (does not mark messages read)')
    .addHelpText('after', examples('clinic messages thread dr.silva', 'clinic messages thread dr.silva --all --json'))
    .argument('<user>', 'the other person, by username or id')
    .option('--limit <n>', 'at most this many of the latest messages (default 50)', wholeNumber())
    .option('--all', 'the whole conversation, however long')
    .action(async (user, options) => {
      const limit = listLimit(options);
      const { showThread } = await import('../../../domain/messages/service.js');
      const page = await showThread(await ctx.domain(), user, { limit });
      ctx.output.page(page, threadColumns, (message) => message, `No messages between you and ${user}.`, 'messages');
    });
}
