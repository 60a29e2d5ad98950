import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderUser } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function usersUpdateCommand(ctx: CliContext) {
  return printsFields(new Command('update'), async () => (await import('../../../domain/users/view.js')).USER_VIEW_FIELDS)
    .description('change the name, email, or admin/staff role of an account (admin); the username never changes')
    .addHelpText(
      'after',
      examples('clinic users update rita.m --name "Rita M. Mendes"', 'clinic users update rita.m --role admin', 'clinic users update rita.m --no-email'),
    )
    .argument('<user>', 'username or id')
    .option('--name <name>', 'new full name')
    .option('--email <email>', 'new email address')
    .option('--no-email', 'remove the email address')
    .addOption(new Option('--role <role>', 'admin or staff (not for doctors and patients)').choices(['admin', 'staff'] as const))
    .action(async (user, options) => {
      const { updateUserAccount } = await import('../../../domain/users/service.js');
      const email = options.email === false ? null : options.email;
      const updated = await updateUserAccount(await ctx.domain(), { user, fullName: options.name, email, role: options.role });
      ctx.output.success(`Updated ${updated.username}.`);
      renderUser(ctx.output, updated);
    });
}
