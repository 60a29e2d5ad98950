import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';

export function usersEnableCommand(ctx: CliContext) {
  return new Command('enable')
    .description('enable a disabled account and clear a lockout (admin)')
    .addHelpText('after', examples('clinic users enable rita.m', 'clinic users enable rita.m --json'))
    .argument('<user>', 'username or id')
    .action(async (user) => {
      const { enableUser } = await import('../../../domain/users/service.js');
      const result = await enableUser(await ctx.domain(), { user });
      ctx.output.success(result.changed ? `Enabled ${result.user.username}.` : `${result.user.username} was already active.`);
      renderUser(ctx.output, result.user);
    });
}
