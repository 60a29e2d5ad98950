import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { DOCTOR_COLUMNS } from './render.js';

export function doctorsListCommand(ctx: CliContext) {
  return new Command('list')
    .description('list the doctors')
    .option('--specialty <specialty>', 'only doctors of this specialty (any case)')
    .action(async (options) => {
      const { listDoctors } = await import('../../../domain/doctors/service.js');
      const doctors = await listDoctors(await ctx.domain(), { specialty: options.specialty });
      ctx.output.list(doctors, DOCTOR_COLUMNS, undefined, 'No doctors found.');
    });
}
