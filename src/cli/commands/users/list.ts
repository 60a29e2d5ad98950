import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { USER_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function usersListCommand(ctx: CliContext) {
  return printsFields(new Command('list'), async () => (await import('../../../domain/users/view.js')).USER_VIEW_FIELDS)
    .description('list accounts (admin)')
    .addHelpText('after', examples('clinic users list', 'clinic users list --role doctor', 'clinic users list --status disabled --json'))
    .addOption(new Option('--role <role>', 'only this role').choices(['admin', 'staff', 'doctor', 'patient'] as const))
    .addOption(new Option('--status <status>', 'only this status').choices(['active', 'disabled'] as const))
    .action(async (options) => {
      const { listUsers } = await import('../../../domain/users/service.js');
      const users = await listUsers(await ctx.domain(), { role: options.role, status: options.status });
      ctx.output.list(users, USER_COLUMNS, (user) => user, 'No users found.');
    });
}
