import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { ALL_HELP, LIMIT_HELP, listLimit, wholeNumber } from '../../options.js';
import { PATIENT_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function patientsListCommand(ctx: CliContext) {
  return printsFields(new Command('list'), async () => (await import('../../../domain/patients/view.js')).PATIENT_DETAILS_FIELDS)
    .description('list the patients you may see (a doctor: their panel; a patient: themselves)')
    .addHelpText(
      'after',
      examples(
        'clinic patients list --doctor dr.silva',
        'clinic patients list --search quinn --all --json',
        'clinic patients list --search 1974-05-15',
        'clinic patients list --search "555 0118"',
      ),
    )
    .option('--doctor <doctor>', "only patients on this doctor's panel")
    .option('--search <text>', 'name or username containing TEXT (ignores case and accents); a date is a date of birth, digits the end of a phone number')
    .option('--limit <n>', LIMIT_HELP, wholeNumber())
    .option('--all', ALL_HELP)
    .action(async (options) => {
      const limit = listLimit(options);
      const { listPatients } = await import('../../../domain/patients/service.js');
      const page = await listPatients(await ctx.domain(), { doctor: options.doctor, search: options.search, limit });
      ctx.output.page(page, PATIENT_COLUMNS, (patient) => patient, 'No patients found.', 'patients');
    });
}
