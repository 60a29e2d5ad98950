import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function logoutCommand(ctx: CliContext) {
  return new Command('logout')
    .description("end this terminal's session on the database")
    .addHelpText('after', examples('clinic logout', 'clinic logout --data-dir ~/clinic-test'))
    .action(async () => {
      const { readSession, removeSession } = await import('../../session-store.js');
      const { NotAuthenticatedError } = await import('../../../domain/errors.js');
      const target = await ctx.target();
      const stored = await readSession(ctx.env, target);
      if (!stored) throw new NotAuthenticatedError('Not logged in.', { remedy: 'Run `clinic login`.' });
      const { logout } = await import('../../../domain/identity/sessions.js');
      const ended = await logout(await ctx.anonymousDomain(), stored.token);
      await removeSession(ctx.env, target);
      ctx.output.data({ loggedOut: true, username: ended?.username ?? null }, () => '');
      ctx.output.success(ended ? `Logged out ${ended.username}.` : 'Logged out.');
    });
}
