import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { messagesInboxCommand } from './inbox.js';
import { messagesReadCommand } from './read.js';
import { messagesSendCommand } from './send.js';
import { messagesSentCommand } from './sent.js';
import { messagesThreadCommand } from './thread.js';

export function registerMessages(program: Command, ctx: CliContext): void {
  program
    .command('messages')
    .description('Messages between users')
    .addCommand(messagesSendCommand(ctx))
    .addCommand(messagesInboxCommand(ctx))
    .addCommand(messagesSentCommand(ctx))
    .addCommand(messagesThreadCommand(ctx))
    .addCommand(messagesReadCommand(ctx));
}
