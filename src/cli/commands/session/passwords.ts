import type { CliContext } from '../../context.js';
import { readSecretFromStdin } from '../../io.js';
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
