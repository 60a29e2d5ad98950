import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { newPassword } from '../session/passwords.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';

export function usersCreateCommand(ctx: CliContext) {
  return new Command('create')
    .description('create an admin or staff account (admin); doctors and patients have their own add commands')
    .addHelpText(
      'after',
      examples(
        'clinic users create --username rita.m --name "Rita Mendes" --role staff',
        'clinic users create --username it.admin --name "IT Admin" --role admin --email it@clinic.example',
        'clinic users create --username rita.m --name "Rita Mendes" --role staff --password-stdin < password.txt',
      ),
    )
    .requiredOption('--username <username>', 'login name: 2-32 lowercase letters, digits, ".", "_" or "-"')
    .requiredOption('--name <name>', 'full name')
    .addOption(new Option('--role <role>', 'admin or staff').choices(['admin', 'staff'] as const).makeOptionMandatory())
    .option('--email <email>', 'email address')
    .option(
      '--password-stdin',
      'read the password from the first line of stdin (else asked on a terminal; without either the account cannot log in until `users passwd`)',
    )
    .action(async (options) => {
      const domain = await ctx.domain();
      const password = options.passwordStdin || ctx.prompter.canPrompt ? await newPassword(ctx, options.passwordStdin, '--password-stdin') : undefined;
      const { createUser } = await import('../../../domain/users/service.js');
      const user = await createUser(domain, { username: options.username, fullName: options.name, role: options.role, email: options.email, password });
      ctx.output.success(`Created ${user.role} ${user.username}.`);
      if (password === undefined) ctx.output.warn(`No password set: ${user.username} cannot log in until \`clinic users passwd ${user.username}\`.`);
      renderUser(ctx.output, user);
    });
}
