import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { sentColumns } from './render.js';

export function messagesSentCommand(ctx: CliContext) {
  return new Command('sent').description('messages you sent, newest first').action(async () => {
    const { listSent } = await import('../../../domain/messages/service.js');
    ctx.output.list(await listSent(await ctx.domain()), sentColumns, undefined, 'No sent messages.');
  });
}
