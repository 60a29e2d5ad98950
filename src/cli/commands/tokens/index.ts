import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { tokensCreateCommand } from './create.js';
import { tokensListCommand } from './list.js';
import { tokensRevokeCommand } from './revoke.js';

/** The verbs of `clinic tokens` (program.ts lists the noun itself). */
export function registerTokens(noun: Command, ctx: CliContext): void {
  noun.addCommand(tokensCreateCommand(ctx)).addCommand(tokensListCommand(ctx)).addCommand(tokensRevokeCommand(ctx));
}
