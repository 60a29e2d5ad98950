import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { readSecretFromStdin } from '../../io.js';
import { list } from '../../options.js';
import { renderPatient } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function patientsAddCommand(ctx: CliContext) {
  return printsFields(new Command('add'), async () => (await import('../../../domain/patients/view.js')).PATIENT_DETAILS_FIELDS)
    .description('add a patient: an account with role patient, on the panels of the given doctors (admin, staff)')
    .addHelpText(
      'after',
      examples(
        'clinic patients add --username joao.p --name "João Pereira" --dob 1980-04-02 --doctor dr.silva',
        'clinic patients add --username maria.s --name "Maria Santos" --phone "+351 912 345 678" --doctor dr.silva,dr.costa',
        'clinic patients add --username joao.p --name "João Pereira" --password-stdin < password.txt',
      ),
    )
    .addOption(askedOption('--username <username>', 'login name: lowercase letters, digits, ".", "_", "-"'))
    .addOption(askedOption('--name <name>', 'full name'))
    .option('--dob <date>', 'date of birth, YYYY-MM-DD')
    .option('--phone <phone>', 'phone number')
    .option('--email <email>', 'email address')
    .option('--doctor <doctor...>', 'a doctor (username or id) whose panel gets the patient; repeat or separate with commas', list)
    .option('--password-stdin', 'read a password from stdin (without one the account cannot log in)')
    .action(async (given, command) => {
      const answers = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, answers.newAccount(ctx, 'patients.manage'), { checks: answers.contactDetails });
      const { addPatient } = await import('../../../domain/patients/service.js');
      const password = options.passwordStdin ? await readSecretFromStdin(ctx.io.stdin, '--password-stdin') : undefined;
      const patient = await addPatient(await ctx.domain(), {
        username: options.username,
        fullName: options.name,
        dateOfBirth: options.dob,
        phone: options.phone,
        email: options.email,
        doctors: options.doctor ?? [],
        password,
      });
      ctx.output.success(`Added patient ${patient.username}.${password === undefined ? ' No password: the account cannot log in until one is set.' : ''}`);
      renderPatient(ctx.output, patient);
    });
}
