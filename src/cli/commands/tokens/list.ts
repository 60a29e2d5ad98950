import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { TOKEN_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function tokensListCommand(ctx: CliContext) {
  return new Command('list')
    .description("list your API tokens (an admin sees everybody's, or one user's with --user)")
    .addHelpText('after', examples('clinic tokens list', 'clinic tokens list --user rita.m', 'clinic tokens list --json'))
    .option('--user <user>', "only this user's tokens (admin for others)")
    .action(async (options) => {
      const { listTokens } = await import('../../../domain/identity/api-tokens.js');
      const tokens = await listTokens(await ctx.domain(), { user: options.user });
      ctx.output.list(tokens, TOKEN_COLUMNS, (token) => token, 'No API tokens.');
    });
}
