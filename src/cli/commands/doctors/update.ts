import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { wholeNumber } from '../../options.js';
import { renderDoctor } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function doctorsUpdateCommand(ctx: CliContext) {
  return printsFields(new Command('update'), async () => (await import('../../../domain/doctors/view.js')).DOCTOR_DETAILS_FIELDS)
    .description("change a doctor's details; an empty value clears an optional field (admin, staff)")
    .addHelpText(
      'after',
      examples(
        'clinic doctors update dr.silva --specialty "internal medicine"',
        'clinic doctors update dr.silva --slot-minutes 15',
        'clinic doctors update dr.silva --email ""',
      ),
    )
    .argument('<doctor>', 'username or id')
    .option('--name <name>', 'full name')
    .option('--specialty <specialty>', 'specialty ("" clears it)')
    .option('--license <number>', 'licence number ("" clears it)')
    .option('--slot-minutes <minutes>', 'slot length: 5 to 480, a multiple of 5', wholeNumber())
    .option('--email <email>', 'email address ("" clears it)')
    .action(async (ref, options) => {
      const { updateDoctor } = await import('../../../domain/doctors/service.js');
      const doctor = await updateDoctor(await ctx.domain(), ref, {
        fullName: options.name,
        specialty: options.specialty,
        licenseNumber: options.license,
        slotMinutes: options.slotMinutes,
        email: options.email,
      });
      ctx.output.success(`Updated doctor ${doctor.username}.`);
      renderDoctor(ctx.output, doctor);
    });
}
