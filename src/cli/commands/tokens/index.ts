import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { tokensCreateCommand } from './create.js';
import { tokensListCommand } from './list.js';
import { tokensRevokeCommand } from './revoke.js';

export function registerTokens(program: Command, ctx: CliContext): void {
  program
    .command('tokens')
    .description('API tokens for scripts (CLINIC_TOKEN)')
    .addCommand(tokensCreateCommand(ctx))
    .addCommand(tokensListCommand(ctx))
    .addCommand(tokensRevokeCommand(ctx));
}
