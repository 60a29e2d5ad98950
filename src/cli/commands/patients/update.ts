import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderPatient } from './render.js';

export function patientsUpdateCommand(ctx: CliContext) {
  return new Command('update')
    .description("change a patient's details; an empty value clears an optional field (admin, staff)")
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
