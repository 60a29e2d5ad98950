import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { newPassword } from './passwords.js';

const DEFAULT_ADMIN_NAME = 'Administrator';

export function initCommand(ctx: CliContext) {
  return new Command('init')
    .description('set up the database: schema, clinic time zone, first admin; logs this terminal in as that admin')
    .option('--timezone <zone>', "the clinic's IANA time zone (default: this system's)")
    .option('--admin-username <username>', 'username of the first admin')
    .option('--admin-name <name>', `full name of the first admin (default: ${DEFAULT_ADMIN_NAME})`)
    .option('--admin-password-stdin', "read the admin's password from the first line of stdin")
    .action(async (options) => {
      const { prepareClinic, initializeClinic } = await import('../../../domain/identity/setup.js');
      const domain = await ctx.anonymousDomain('none');
      await prepareClinic(domain, { timezone: options.timezone });
      const adminUsername = options.adminUsername ?? (await ctx.prompter.text('--admin-username', 'Admin username'));
      const adminFullName = options.adminName ?? (ctx.prompter.canPrompt ? await ctx.prompter.text('--admin-name', 'Admin full name') : DEFAULT_ADMIN_NAME);
      const adminPassword = await newPassword(ctx, options.adminPasswordStdin, '--admin-password-stdin', 'Admin password');
      const clinic = await initializeClinic(domain, { timezone: options.timezone, adminUsername, adminFullName, adminPassword });
      // Later steps that act as the new admin (e.g. a demo clinic) go here, with withActor(domain, admin).
      const { writeSession } = await import('../../session-store.js');
      const { describeTarget } = await import('../../../db/target.js');
      const target = await ctx.target();
      await writeSession(ctx.env, target, clinic.session.token, ctx.now());
      const database = describeTarget(target);
      ctx.output.success(`Set up the ${database}; logged in as ${clinic.admin.username} (admin).`);
      ctx.output.record({ timezone: clinic.timezone, database, admin: clinic.admin, sessionExpiresAt: clinic.session.expiresAt }, [
        ['timezone', clinic.timezone],
        ['database', database],
        ['admin', clinic.admin.username],
        ['session ends', clinic.session.expiresAt],
      ]);
    });
}
