import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { newPassword } from './passwords.js';
import { examples } from '../../help.js';

const DEFAULT_ADMIN_NAME = 'Administrator';
const DEMO_ADMIN_USERNAME = 'admin';

export function initCommand(ctx: CliContext) {
  return new Command('init')
    .description('set up the database: schema, clinic time zone, first admin; logs this terminal in as that admin')
    .addHelpText(
      'after',
      examples(
        'clinic init --timezone Europe/Lisbon',
        'clinic init --demo',
        'clinic init --admin-username admin --admin-password-stdin < admin-password.txt',
        'clinic init --database-url postgres://clinic@db.example/clinic',
      ),
    )
    .option('--timezone <zone>', "the clinic's IANA time zone (default: this system's)")
    .option('--admin-username <username>', 'username of the first admin')
    .option('--admin-name <name>', `full name of the first admin (default: ${DEFAULT_ADMIN_NAME})`)
    .option('--admin-password-stdin', "read the admin's password from stdin, one line")
    .option(
      '--demo',
      'also load a demo clinic (doctors, patients, appointments, messages) and print its logins; without a terminal the admin is `admin` with a generated password',
    )
    .action(async (options, command) => {
      const [{ setUpClinic }, { askForMissing }, answers] = await Promise.all([
        import('../../../domain/identity/setup.js'),
        import('../../prompting.js'),
        import('../../answers.js'),
      ]);
      const demo = options.demo === true;
      // A demo set up by a script has nobody to ask: the admin gets a default name and a generated password, shown once.
      const unattendedDemo = demo && !ctx.prompter.canPrompt;
      const clinic = await setUpClinic(() => ctx.anonymousDomain('none'), {
        timezone: options.timezone,
        demo,
        environment: ctx.env.CLINIC_ENV,
        release: () => ctx.release(),
        // Asked only now: a clinic that is already set up is refused before any question.
        askAdmin: async () => {
          const timezone = { ...answers.timeZone, question: "The clinic's time zone (type to search; Enter takes the first)" };
          const asked = ctx.prompter.canPrompt
            ? await askForMissing(
                ctx,
                command,
                options,
                {
                  timezone,
                  adminUsername: answers.username,
                  adminName: { ...answers.fullName, question: 'Full name of the first admin', default: DEFAULT_ADMIN_NAME },
                },
                { login: false },
              )
            : {
                // Nobody to ask: the system's zone, a plain name, and for a demo its admin.
                ...(await askForMissing(
                  ctx,
                  command,
                  { ...options, ...(unattendedDemo ? { adminUsername: options.adminUsername ?? DEMO_ADMIN_USERNAME } : {}) },
                  { adminUsername: answers.username },
                  { login: false },
                )),
                adminName: options.adminName ?? DEFAULT_ADMIN_NAME,
              };
          const owner = { username: asked.adminUsername, fullName: asked.adminName };
          return {
            timezone: asked.timezone,
            username: asked.adminUsername,
            fullName: asked.adminName,
            password:
              unattendedDemo && !options.adminPasswordStdin
                ? null
                : await newPassword(ctx, options.adminPasswordStdin, '--admin-password-stdin', 'Admin password', owner),
          };
        },
        keepSession: async (session) => {
          const { writeSession } = await import('../../session-store.js');
          await writeSession(ctx.env, await ctx.target(), await ctx.terminal(), session.token, ctx.now());
        },
      });
      const { describeTarget } = await import('../../../db/target.js');
      const database = describeTarget(await ctx.target());
      ctx.output.success(`Set up the ${database}; logged in as ${clinic.admin.username} (admin).`);
      const demoClinic = clinic.demo;
      const accounts = demoClinic?.accounts ?? [];
      const summary = {
        timezone: clinic.timezone,
        database,
        admin: clinic.admin,
        sessionExpiresAt: clinic.session.expiresAt,
        ...(demoClinic ? { demo: demoClinic } : {}),
      };
      ctx.output.setClinicZone(clinic.timezone);
      ctx.output.data(summary, () => {
        const lines = [
          `timezone      ${clinic.timezone}`,
          `database      ${database}`,
          `admin         ${clinic.admin.username}`,
          `session ends  ${ctx.output.when(clinic.session.expiresAt)}`,
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
