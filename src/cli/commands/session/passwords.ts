import type { CliContext } from '../../context.js';
import type { PasswordChangeSecrets } from '../../../domain/users/service.js';
import { readAll, readSecretFromStdin } from '../../io.js';
import { UsageError } from '../../usage-error.js';

/** A password to check: the first line of stdin with `flag`, else a masked prompt (or a usage error naming the flag). */
export async function existingPassword(ctx: CliContext, fromStdin: boolean | undefined, flag: string, message = 'Password'): Promise<string> {
  if (fromStdin) return readSecretFromStdin(ctx.io.stdin);
  return ctx.prompter.password(flag, message);
}

/** A password to set: from stdin with `flag`, else asked twice on a terminal. */
export async function newPassword(ctx: CliContext, fromStdin: boolean | undefined, flag: string, message = 'New password'): Promise<string> {
  if (fromStdin) return readSecretFromStdin(ctx.io.stdin);
  const first = await ctx.prompter.password(flag, message);
  const second = await ctx.prompter.password(flag, 'Repeat it');
  if (first !== second) throw new UsageError('The two passwords differ.', 'Run the command again.');
  return first;
}

/**
 * The passwords of `users passwd`: with `flag`, stdin's first line is the new password, or, when
 * the current one is needed too, the current one and then the new one; else they are asked.
 */
export async function passwordChangeSecrets(
  ctx: CliContext,
  fromStdin: boolean | undefined,
  flag: string,
  needsCurrent: boolean,
): Promise<PasswordChangeSecrets> {
  if (fromStdin && needsCurrent) {
    const [currentPassword, newPassword] = (await readAll(ctx.io.stdin)).split(/\r?\n/);
    if (!newPassword) throw new UsageError(`${flag} needs two lines for your own account: the current password, then the new one.`);
    return { currentPassword: currentPassword!, newPassword };
  }
  const currentPassword = needsCurrent ? await existingPassword(ctx, false, flag, 'Current password') : undefined;
  return { currentPassword, newPassword: await newPassword(ctx, fromStdin, flag) };
}
