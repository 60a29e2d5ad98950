import type { CliContext } from '../../context.js';
import type { PasswordChangeSecrets } from '../../../domain/users/service.js';
import { readSecretFromStdin, readSecretLines } from '../../io.js';

/** A password to check: the one line of stdin with `flag`, else a masked prompt (or a usage error naming the flag). */
export async function existingPassword(ctx: CliContext, fromStdin: boolean | undefined, flag: string, message = 'Password'): Promise<string> {
  if (fromStdin) return readSecretFromStdin(ctx.io.stdin, flag);
  return ctx.prompter.password(flag, message);
}

/** Whose password it is, so that the rules (not the username, not guessable from the name) are checked while asking. */
export interface PasswordOwner {
  username: string;
  fullName?: string | undefined;
  email?: string | undefined;
}

/**
 * A password to set: from stdin with `flag`, else asked on a terminal: one that breaks the rules
 * is asked again with the reason before the confirmation, and a confirmation that differs starts
 * the password over (what was asked before it is kept).
 */
export async function newPassword(
  ctx: CliContext,
  fromStdin: boolean | undefined,
  flag: string,
  message = 'New password',
  owner?: PasswordOwner,
): Promise<string> {
  if (fromStdin) return readSecretFromStdin(ctx.io.stdin, flag);
  const { promptCheck } = await import('../../prompting.js');
  const rules = owner
    ? promptCheck(async (password) => {
        const { assertAcceptablePassword } = await import('../../../domain/identity/passwords.js');
        await assertAcceptablePassword(password, owner);
      })
    : undefined;
  for (;;) {
    const first = await ctx.prompter.password(flag, message, rules);
    const second = await ctx.prompter.password(flag, 'Repeat it');
    if (first === second) return first;
    ctx.output.aside('The two passwords differ; try again.');
  }
}

/**
 * The passwords of `users passwd`: with `flag`, stdin's one line is the new password, or, when
 * the current one is needed too, its two lines are the current one and then the new one; else they are asked.
 */
export async function passwordChangeSecrets(
  ctx: CliContext,
  fromStdin: boolean | undefined,
  flag: string,
  needsCurrent: boolean,
  owner?: PasswordOwner,
): Promise<PasswordChangeSecrets> {
  if (fromStdin && needsCurrent) {
    const [currentPassword, newPassword] = await readSecretLines(ctx.io.stdin, flag, ['your current password', 'the new one']);
    return { currentPassword: currentPassword!, newPassword: newPassword! };
  }
  const currentPassword = needsCurrent ? await existingPassword(ctx, false, flag, 'Current password') : undefined;
  return { currentPassword, newPassword: await newPassword(ctx, fromStdin, flag, 'New password', owner) };
}
