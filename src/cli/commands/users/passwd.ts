import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { readAll } from '../../io.js';
import { UsageError } from '../../usage-error.js';
import { existingPassword, newPassword } from '../session/passwords.js';
import { renderUser } from './render.js';

export function usersPasswdCommand(ctx: CliContext) {
  return new Command('passwd')
    .description("change your password (asks for the current one), or another user's (admin); ends all of that user's sessions and tokens")
    .argument('[user]', 'username or id (default: yourself)')
    .option('--password-stdin', 'read from stdin: the new password on the first line; for your own account, the current one first and the new one on the second line')
    .action(async (user, options) => {
      const { changePassword, passwordChangeNeedsCurrent } = await import('../../../domain/users/service.js');
      const domain = await ctx.domain();
      const needsCurrent = await passwordChangeNeedsCurrent(domain, { user });
      let currentPassword: string | undefined;
      let password: string;
      if (options.passwordStdin && needsCurrent) {
        const lines = (await readAll(ctx.io.stdin)).split(/\r?\n/);
        if (lines.length < 2 || lines[1] === '') throw new UsageError('--password-stdin needs two lines for your own account: the current password, then the new one.');
        [currentPassword, password] = [lines[0]!, lines[1]!];
      } else {
        if (needsCurrent) currentPassword = await existingPassword(ctx, false, '--password-stdin', 'Current password');
        password = await newPassword(ctx, options.passwordStdin, '--password-stdin');
      }
      const result = await changePassword(domain, { user, newPassword: password, currentPassword });
      ctx.output.success(
        `Changed the password of ${result.user.username}; ended ${result.endedSessions} session(s) and revoked ${result.revokedTokens} API token(s).` +
          (result.user.id === domain.actor?.id ? ' Run `clinic login` again.' : ''),
      );
      renderUser(ctx.output, result.user);
    });
}
