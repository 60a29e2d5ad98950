import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { PATIENT_COLUMNS } from './render.js';

export function patientsListCommand(ctx: CliContext) {
  return new Command('list')
    .description('list the patients you may see (a doctor: their panel; a patient: themselves)')
    .option('--doctor <doctor>', 'only patients on this doctor\'s panel')
    .option('--search <text>', 'name or username containing TEXT (ignores case and accents)')
    .action(async (options) => {
      const { listPatients } = await import('../../../domain/patients/service.js');
      const patients = await listPatients(await ctx.domain(), { doctor: options.doctor, search: options.search });
      ctx.output.list(patients, PATIENT_COLUMNS, undefined, 'No patients found.');
    });
}
