import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { ALL_HELP, LIMIT_HELP, listLimit, wholeNumber } from '../../options.js';
import { sentColumns } from './render.js';
import { examples } from '../../help.js';

export function messagesSentCommand(ctx: CliContext) {
  return printsFields(new Command('sent'), async () => (await import('../../../domain/messages/view.js')).MESSAGE_VIEW_FIELDS)
    .description('messages you sent, newest first')
    .addHelpText('after', examples('clinic messages sent', 'clinic messages sent --limit 10 --json'))
    .option('--limit <n>', LIMIT_HELP, wholeNumber())
    .option('--all', ALL_HELP)
    .action(async (options) => {
      const limit = listLimit(options);
      const { listSent } = await import('../../../domain/messages/service.js');
      ctx.output.page(await listSent(await ctx.domain(), { limit }), sentColumns, (message) => message, 'No sent messages.', 'messages');
    });
}
