import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { wholeNumber } from '../../options.js';
import { examples } from '../../help.js';

export function dbSeedCommand(ctx: CliContext) {
  return new Command('seed')
    .description('add deterministic test data; a second run adds nothing (refused when CLINIC_ENV=production, unless --force)')
    .addHelpText(
      'after',
      examples(
        'clinic db seed --demo',
        'clinic db seed --seed 7 --doctors 10 --patients 500 --appointments 2000',
        'CLINIC_ENV=production clinic db seed --demo --force',
      ),
    )
    .option('--demo', 'load the demo clinic: doctors with hours, patients, appointments, messages, and accounts to log in with')
    .addOption(new Option('--seed <n>', 'the same seed gives the same data').argParser(wholeNumber()).default(1))
    .addOption(new Option('--doctors <n>', 'doctors to add (default 5, or 0 with --demo)').argParser(wholeNumber()))
    .addOption(new Option('--patients <n>', 'patients to add (default 50, or 0 with --demo)').argParser(wholeNumber()))
    .addOption(new Option('--appointments <n>', 'future appointments to add (default 100, or 0 with --demo)').argParser(wholeNumber()))
    .option('--force', 'seed even when CLINIC_ENV=production')
    .action(async (options) => {
      const { seedDatabase } = await import('../../../domain/seed/seed.js');
      const summary = await seedDatabase(() => ctx.anonymousDomain(), {
        seed: options.seed,
        doctors: options.doctors,
        patients: options.patients,
        appointments: options.appointments,
        demo: options.demo === true,
        force: options.force === true,
        environment: ctx.env.CLINIC_ENV,
      });
      ctx.output.data(summary, () => {
        const lines = [
          `Seed ${summary.seed}: doctors ${summary.doctors.created} added (${summary.doctors.existing} already there), ` +
            `patients ${summary.patients.created} added (${summary.patients.existing} already there), ` +
            `appointments ${summary.appointments.imported} added (${summary.appointments.skipped} already there, ${summary.appointments.rejected} not bookable).`,
        ];
        if (summary.demo) {
          const d = summary.demo;
          lines.push(`Demo clinic: ${d.doctors} doctors, ${d.patients} patients, ${d.appointments.imported} appointments, ${d.messages} messages added.`);
          if (d.accounts.length > 0) {
            lines.push('Demo accounts (the passwords are shown only now; change them with `clinic users passwd`):');
            for (const account of d.accounts) lines.push(`  ${account.role.padEnd(8)} ${account.username.padEnd(24)} ${account.password}`);
            lines.push('Log in with `clinic login --username USERNAME`.');
          } else {
            lines.push('The demo clinic was already there: its accounts keep their passwords.');
          }
        }
        return lines.join('\n');
      });
    });
}
