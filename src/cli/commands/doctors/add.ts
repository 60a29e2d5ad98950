import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { wholeNumber } from '../../options.js';
import { readSecretFromStdin } from '../../io.js';
import { renderDoctor } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function doctorsAddCommand(ctx: CliContext) {
  return printsFields(new Command('add'), async () => (await import('../../../domain/doctors/view.js')).DOCTOR_DETAILS_FIELDS)
    .description('add a doctor: an account with role doctor, working mon-fri 09:00-17:00 until told otherwise (admin, staff)')
    .addHelpText(
      'after',
      examples(
        'clinic doctors add --username dr.silva --name "Ana Silva" --specialty cardiology',
        'clinic doctors add --username dr.costa --name "Rui Costa" --license 12345 --slot-minutes 20',
        'clinic doctors add --username dr.silva --name "Ana Silva" --password-stdin < password.txt',
      ),
    )
    .addOption(askedOption('--username <username>', 'login name: lowercase letters, digits, ".", "_", "-"'))
    .addOption(askedOption('--name <name>', 'full name'))
    .option('--specialty <specialty>', 'e.g. cardiology')
    .option('--license <number>', 'licence number (unique)')
    .option('--slot-minutes <minutes>', 'length of an appointment slot: 5 to 480, a multiple of 5 (default 30)', wholeNumber())
    .option('--email <email>', 'email address')
    .option('--password-stdin', 'read a password from stdin (without one the account cannot log in)')
    .action(async (given, command) => {
      const answers = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, answers.newAccount(ctx, 'doctors.manage'), { checks: answers.contactDetails });
      const { addDoctor } = await import('../../../domain/doctors/service.js');
      const password = options.passwordStdin ? await readSecretFromStdin(ctx.io.stdin, '--password-stdin') : undefined;
      const doctor = await addDoctor(await ctx.domain(), {
        username: options.username,
        fullName: options.name,
        specialty: options.specialty,
        licenseNumber: options.license,
        slotMinutes: options.slotMinutes,
        email: options.email,
        password,
      });
      ctx.output.success(`Added doctor ${doctor.username}.${password === undefined ? ' No password: the account cannot log in until one is set.' : ''}`);
      renderDoctor(ctx.output, doctor);
    });
}
