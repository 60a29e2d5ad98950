import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function logoutCommand(ctx: CliContext) {
  return new Command('logout')
    .description("end the session in use: this terminal's (other terminals stay logged in), or without a terminal the one of commands without one")
    .addHelpText('after', examples('clinic logout', 'clinic logout --data-dir ~/clinic-test'))
    .action(async () => {
      const { storedSession } = await import('../../auth.js');
      const { removeSession } = await import('../../session-store.js');
      const stored = await storedSession(ctx);
      const { logout } = await import('../../../domain/identity/sessions.js');
      const ended = await logout(await ctx.anonymousDomain(), stored.token);
      await removeSession(ctx.env, await ctx.target(), await ctx.terminal());
      ctx.output.data({ loggedOut: true, username: ended?.username ?? null, terminal: stored.terminal }, () => '');
      ctx.output.success(ended ? `Logged out ${ended.username}${stored.terminal ? ` on ${stored.terminal}` : ''}.` : 'Logged out.');
    });
}
