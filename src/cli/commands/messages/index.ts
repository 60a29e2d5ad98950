import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { messagesInboxCommand } from './inbox.js';
import { messagesReadCommand } from './read.js';
import { messagesSendCommand } from './send.js';
import { messagesSentCommand } from './sent.js';
import { messagesThreadCommand } from './thread.js';

/** The verbs of `clinic messages` (program.ts lists the noun itself). */
export function registerMessages(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(messagesSendCommand(ctx))
    .addCommand(messagesInboxCommand(ctx))
    .addCommand(messagesSentCommand(ctx))
    .addCommand(messagesThreadCommand(ctx))
    .addCommand(messagesReadCommand(ctx));
}
