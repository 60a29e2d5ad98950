import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { DOCTOR_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function doctorsListCommand(ctx: CliContext) {
  return printsFields(new Command('list'), async () => (await import('../../../domain/doctors/view.js')).DOCTOR_DETAILS_FIELDS)
    .description('list the doctors')
    .addHelpText('after', examples('clinic doctors list', 'clinic doctors list --specialty cardiology', 'clinic doctors list --json'))
    .option('--specialty <specialty>', 'only doctors of this specialty (any case)')
    .action(async (options) => {
      const { listDoctors } = await import('../../../domain/doctors/service.js');
      const doctors = await listDoctors(await ctx.domain(), { specialty: options.specialty });
      ctx.output.list(doctors, DOCTOR_COLUMNS, undefined, 'No doctors found.');
    });
}
