import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { newPassword } from '../session/passwords.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function usersCreateCommand(ctx: CliContext) {
  return printsFields(new Command('create'), async () => (await import('../../../domain/users/view.js')).USER_VIEW_FIELDS)
    .description('create an admin or staff account (admin); doctors and patients have their own add commands')
    .addHelpText(
      'after',
      examples(
        'clinic users create --username rita.m --name "Rita Mendes" --role staff',
        'clinic users create --username it.admin --name "IT Admin" --role admin --email it@clinic.example',
        'clinic users create --username rita.m --name "Rita Mendes" --role staff --password-stdin < password.txt',
      ),
    )
    .addOption(askedOption('--username <username>', 'login name: 2-32 lowercase letters, digits, ".", "_" or "-"'))
    .addOption(askedOption('--name <name>', 'full name'))
    .addOption(askedOption('--role <role>', 'admin or staff').choices(['admin', 'staff'] as const))
    .option('--email <email>', 'email address')
    .option(
      '--password-stdin',
      'read the password from stdin, one line (else asked on a terminal; without either the account cannot log in until `users passwd`)',
    )
    .action(async (given, command) => {
      const answers = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, { ...answers.newAccount(ctx, 'users.manage'), role: {} }, { checks: answers.contactDetails });
      const owner = { username: options.username, fullName: options.name, email: options.email };
      if (!options.passwordStdin && ctx.prompter.canPrompt) await ctx.ensureLoggedIn();
      const password =
        options.passwordStdin || ctx.prompter.canPrompt ? await newPassword(ctx, options.passwordStdin, '--password-stdin', 'New password', owner) : undefined;
      const { createUser } = await import('../../../domain/users/service.js');
      const user = await createUser(await ctx.domain(), {
        username: options.username,
        fullName: options.name,
        role: options.role,
        email: options.email,
        password,
      });
      ctx.output.success(`Created ${user.role} ${user.username}.`);
      if (password === undefined) ctx.output.warn(`No password set: ${user.username} cannot log in until \`clinic users passwd ${user.username}\`.`);
      renderUser(ctx.output, user);
    });
}
