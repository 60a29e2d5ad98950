import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { existingPassword } from './passwords.js';
import { renderIdentity } from './render.js';
import { examples } from '../../help.js';

export function loginCommand(ctx: CliContext) {
  return new Command('login')
    .description('log this terminal in to the database (a new session each time; other terminals keep theirs)')
    .addHelpText('after', examples('clinic login', 'clinic login --username rita.m', 'clinic login --username rita.m --password-stdin < password.txt'))
    .option('--username <username>', 'your username')
    .option('--password-stdin', 'read the password from stdin, one line')
    .action(async (options) => {
      const username = options.username ?? (await ctx.prompter.text('--username', 'Username'));
      const password = await existingPassword(ctx, options.passwordStdin, '--password-stdin');
      const { readSession, writeSession } = await import('../../session-store.js');
      const { describeTarget } = await import('../../../db/target.js');
      const { login } = await import('../../../domain/identity/login.js');
      const { whoAmI } = await import('../../../domain/identity/whoami.js');
      const target = await ctx.target();
      const terminal = await ctx.terminal();
      const previous = await readSession(ctx.env, target, terminal).catch(() => undefined);
      const domain = await ctx.anonymousDomain();
      const result = await login(domain, { username, password, replacesToken: previous?.token });
      await writeSession(ctx.env, target, terminal, result.token, ctx.now());
      const database = describeTarget(target);
      const where = terminal ? `this terminal (${terminal.device})` : 'commands without a terminal';
      // As `gh auth login` does: a new login replaces the one in place, and says whose it was.
      if (result.replaced && result.replaced.username !== result.user.username && !ctx.output.json) {
        const before = terminal ? `This terminal (${terminal.device})` : 'The session shared by commands without a terminal';
        ctx.output.notice(`${before} was logged in as ${result.replaced.username} (${result.replaced.role}); that session has ended.`);
      }
      ctx.output.success(`Logged in as ${result.user.username} (${result.user.role}) to the ${database}, for ${where}.`);
      const actor = { id: result.user.id, username: result.user.username, role: result.user.role };
      const authentication = { actor, method: 'session', expiresAt: result.expiresAt } as const;
      renderIdentity(ctx.output, await whoAmI({ ...domain, actor }, authentication, { database, terminal: terminal?.device ?? null }));
    });
}
