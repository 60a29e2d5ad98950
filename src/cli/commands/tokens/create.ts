import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { duration } from '../../options.js';
import { examples } from '../../help.js';

export function tokensCreateCommand(ctx: CliContext) {
  return new Command('create')
    .description('create an API token for scripts (CLINIC_TOKEN); it is printed once and never again')
    .addHelpText(
      'after',
      examples(
        'clinic tokens create --name nightly-import',
        'clinic tokens create --name ci-seed --expires-in 12h',
        'clinic tokens create --name reports --user rita.m --expires-in never',
      ),
    )
    .requiredOption('--name <name>', 'what the token is for')
    .option('--user <user>', 'whose token (admin; default: yours)')
    .option('--expires-in <duration>', 'lifetime: 15m, 12h, 30d, 8w, or never (default 90d)', duration({ never: true }))
    .action(async (options) => {
      const { createApiToken } = await import('../../../domain/identity/api-tokens.js');
      const created = await createApiToken(await ctx.domain(), { name: options.name, user: options.user, expiresIn: options.expiresIn });
      const { apiToken } = created;
      ctx.output.data({ ...apiToken, token: created.token }, () => created.token);
      ctx.output.success(
        `Created API token "${apiToken.name}" (${apiToken.id}) for ${apiToken.user}, ${apiToken.expiresAt ? `expiring ${ctx.output.when(apiToken.expiresAt)}` : 'never expiring'}.`,
      );
      ctx.output.notice('Copy it now: it is not shown again. Scripts use it as CLINIC_TOKEN=...');
    });
}
