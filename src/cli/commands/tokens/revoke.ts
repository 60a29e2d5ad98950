import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function tokensRevokeCommand(ctx: CliContext) {
  return new Command('revoke')
    .description('revoke an API token at once (your own; admin: anyone’s)')
    .addHelpText('after', examples('clinic tokens revoke 3f9a2c1e', 'clinic tokens revoke 3f9a2c1e-7d41-4b0e-9c55-0a8b6f2d1e37 --json'))
    .argument('<id>', 'the token id, or at least its first 8 characters')
    .action(async (id) => {
      const { revokeToken } = await import('../../../domain/identity/api-tokens.js');
      const result = await revokeToken(await ctx.domain(), { id });
      ctx.output.data(result.apiToken, () => '');
      ctx.output.success(
        result.alreadyRevoked ? `Token "${result.apiToken.name}" was already revoked.` : `Revoked token "${result.apiToken.name}" (${result.apiToken.id}).`,
      );
    });
}
