import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { passwordChangeSecrets } from '../session/passwords.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';

export function usersPasswdCommand(ctx: CliContext) {
  return new Command('passwd')
    .description("change your password (asks for the current one), or another user's (admin); ends all of that user's sessions and tokens")
    .addHelpText(
      'after',
      examples('clinic users passwd', 'clinic users passwd rita.m', 'printf "%s\\n" "$NEW_PASSWORD" | clinic users passwd rita.m --password-stdin'),
    )
    .argument('[user]', 'username or id (default: yourself)')
    .option('--password-stdin', 'read from stdin: the new password, one line; for your own account two lines, the current password and then the new one')
    .action(async (user, options) => {
      const { changePassword } = await import('../../../domain/users/service.js');
      const result = await changePassword(await ctx.domain(), {
        user,
        secrets: (needsCurrent, owner) => passwordChangeSecrets(ctx, options.passwordStdin, '--password-stdin', needsCurrent, owner),
      });
      ctx.output.success(
        `Changed the password of ${result.user.username}; ended ${result.endedSessions} session(s) and revoked ${result.revokedTokens} API token(s).` +
          (result.ownAccount ? ' Run `clinic login` again.' : ''),
      );
      renderUser(ctx.output, result.user);
    });
}
