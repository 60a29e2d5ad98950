import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { readAll } from '../../io.js';
import { UsageError } from '../../usage-error.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';
import { askForMissing, askedOption } from '../../prompting.js';

export function messagesSendCommand(ctx: CliContext) {
  return printsFields(new Command('send'), async () => (await import('../../../domain/messages/view.js')).MESSAGE_VIEW_FIELDS)
    .description('send a message (the text from --body, else from stdin; on a terminal from $VISUAL/$EDITOR, else typed line by line)')
    .addHelpText(
      'after',
      examples(
        'clinic messages send --to dr.silva --body "Room 3 is free this afternoon."',
        'echo "Lab results are in." | clinic messages send --to pt.ana.quinn',
        'clinic messages send --to dr.silva',
      ),
    )
    .addOption(askedOption('--to <user>', 'the receiver, by username or id'))
    .option('--body <text>', 'the message text, exactly as given')
    .action(async (given, command) => {
      const { receiverSearch } = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, { to: receiverSearch(ctx) });
      const body = options.body ?? (await bodyFromStdinOrEditor(ctx, options.to));
      const { sendMessage } = await import('../../../domain/messages/service.js');
      const message = await sendMessage(await ctx.domain(), { to: options.to, body });
      ctx.output.success(`Sent message ${message.id.slice(0, 8)} to ${message.receiver}.`);
      ctx.output.data(message, () => message.id);
    });
}

/**
 * Piped text is the body, less ONE trailing line break (the one `echo` or a here-doc adds); an
 * editor's file likewise. Everything else is kept as it is.
 */
async function bodyFromStdinOrEditor(ctx: CliContext, to: string): Promise<string> {
  if (!ctx.io.stdin.isTTY) return (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
  if (!ctx.prompter.canPrompt) throw new UsageError('Missing --body.', 'Pass --body (prompts need a terminal and no --no-input).');
  const { draftMessage } = await import('./draft.js');
  return (await draftMessage(ctx.io, ctx.env, to, ctx.signal)).replace(/\r?\n$/, '');
}
