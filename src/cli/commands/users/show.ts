import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';

export function usersShowCommand(ctx: CliContext) {
  return new Command('show')
    .description('show an account (admin; anyone for their own)')
    .addHelpText('after', examples('clinic users show rita.m', 'clinic users show rita.m --json'))
    .argument('<user>', 'username or id')
    .action(async (user) => {
      const { showUser } = await import('../../../domain/users/service.js');
      renderUser(ctx.output, await showUser(await ctx.domain(), { user }));
    });
}
