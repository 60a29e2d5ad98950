import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { newPassword } from './passwords.js';

const DEFAULT_ADMIN_NAME = 'Administrator';
const DEMO_ADMIN_USERNAME = 'admin';

export function initCommand(ctx: CliContext) {
  return new Command('init')
    .description('set up the database: schema, clinic time zone, first admin; logs this terminal in as that admin')
    .option('--timezone <zone>', "the clinic's IANA time zone (default: this system's)")
    .option('--admin-username <username>', 'username of the first admin')
    .option('--admin-name <name>', `full name of the first admin (default: ${DEFAULT_ADMIN_NAME})`)
    .option('--admin-password-stdin', "read the admin's password from the first line of stdin")
    .option('--demo', 'also load a demo clinic (doctors, patients, appointments, messages) and print its logins; without a terminal the admin is `admin` with a generated password')
    .action(async (options) => {
      const { prepareClinic, initializeClinic } = await import('../../../domain/identity/setup.js');
      const demo = options.demo === true;
      if (demo) {
        const { assertSeedAllowed } = await import('../../../domain/seed/seed.js');
        assertSeedAllowed({ force: false, environment: ctx.env.CLINIC_ENV });
      }
      const domain = await ctx.anonymousDomain('none');
      await prepareClinic(domain, { timezone: options.timezone });
      // A demo set up by a script has nobody to ask: the admin gets a default name and a generated password, shown once.
      const unattendedDemo = demo && !ctx.prompter.canPrompt;
      const adminUsername =
        options.adminUsername ?? (unattendedDemo ? DEMO_ADMIN_USERNAME : await ctx.prompter.text('--admin-username', 'Admin username'));
      const adminFullName = options.adminName ?? (ctx.prompter.canPrompt ? await ctx.prompter.text('--admin-name', 'Admin full name') : DEFAULT_ADMIN_NAME);
      const { generatePassword } = await import('../../../domain/identity/passwords.js');
      const generatedPassword = unattendedDemo && !options.adminPasswordStdin ? generatePassword() : undefined;
      const adminPassword = generatedPassword ?? (await newPassword(ctx, options.adminPasswordStdin, '--admin-password-stdin', 'Admin password'));
      const clinic = await initializeClinic(domain, { timezone: options.timezone, adminUsername, adminFullName, adminPassword });
      const { writeSession } = await import('../../session-store.js');
      const { describeTarget } = await import('../../../db/target.js');
      const target = await ctx.target();
      await writeSession(ctx.env, target, clinic.session.token, ctx.now());
      const { withActor } = await import('../../../domain/context.js');
      const { seedDemoClinic } = await import('../../../domain/seed/demo.js');
      const adminActor = { id: clinic.admin.id, username: clinic.admin.username, role: clinic.admin.role };
      const demoClinic = demo ? await seedDemoClinic(withActor(domain, adminActor)) : undefined;
      const database = describeTarget(target);
      ctx.output.success(`Set up the ${database}; logged in as ${clinic.admin.username} (admin).`);
      const accounts = [
        ...(generatedPassword ? [{ username: clinic.admin.username, role: clinic.admin.role, password: generatedPassword }] : []),
        ...(demoClinic?.accounts ?? []),
      ];
      const summary = {
        timezone: clinic.timezone,
        database,
        admin: clinic.admin,
        sessionExpiresAt: clinic.session.expiresAt,
        ...(demoClinic ? { demo: { ...demoClinic, accounts } } : {}),
      };
      ctx.output.data(summary, () => {
        const lines = [
          `timezone      ${clinic.timezone}`,
          `database      ${database}`,
          `admin         ${clinic.admin.username}`,
          `session ends  ${clinic.session.expiresAt.toISOString()}`,
        ];
        if (demoClinic) {
          lines.push(
            '',
            `Demo clinic: ${demoClinic.doctors} doctors, ${demoClinic.patients} patients, ${demoClinic.appointments.imported} appointments, ${demoClinic.messages} messages.`,
            'Accounts (passwords are shown only now; change them with `clinic users passwd`):',
            ...accounts.map((account) => `  ${account.role.padEnd(8)} ${account.username.padEnd(24)} ${account.password}`),
            'This terminal is logged in as the admin; others log in with `clinic login --username USERNAME`.',
          );
        }
        return lines.join('\n');
      });
    });
}
