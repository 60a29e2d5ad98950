import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';

export function usersDisableCommand(ctx: CliContext) {
  return new Command('disable')
    .description('disable an account and end its sessions and API tokens at once (admin)')
    .addHelpText('after', examples('clinic users disable rita.m', 'clinic users disable rita.m --json'))
    .argument('<user>', 'username or id')
    .action(async (user) => {
      const { disableUser } = await import('../../../domain/users/service.js');
      const result = await disableUser(await ctx.domain(), { user });
      ctx.output.success(
        result.changed
          ? `Disabled ${result.user.username}; ended ${result.endedSessions} session(s) and revoked ${result.revokedTokens} API token(s).`
          : `${result.user.username} was already disabled.`,
      );
      renderUser(ctx.output, result.user);
    });
}
