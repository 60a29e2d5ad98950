import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderPatient } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function patientsUpdateCommand(ctx: CliContext) {
  return printsFields(new Command('update'), async () => (await import('../../../domain/patients/view.js')).PATIENT_DETAILS_FIELDS)
    .description("change a patient's details; an empty value clears an optional field (admin, staff)")
    .addHelpText(
      'after',
      examples(
        'clinic patients update pt.ana.quinn --phone "+351 912 000 111"',
        'clinic patients update pt.ana.quinn --email ""',
        'clinic patients update pt.ana.quinn --name "Ana M. Quinn" --dob 1980-04-12',
      ),
    )
    .argument('<patient>', 'username or id')
    .option('--name <name>', 'full name')
    .option('--dob <date>', 'date of birth, YYYY-MM-DD ("" clears it)')
    .option('--phone <phone>', 'phone number ("" clears it)')
    .option('--email <email>', 'email address ("" clears it)')
    .action(async (ref, options) => {
      const { updatePatient } = await import('../../../domain/patients/service.js');
      const patient = await updatePatient(await ctx.domain(), ref, {
        fullName: options.name,
        dateOfBirth: options.dob,
        phone: options.phone,
        email: options.email,
      });
      ctx.output.success(`Updated patient ${patient.username}.`);
      renderPatient(ctx.output, patient);
    });
}
