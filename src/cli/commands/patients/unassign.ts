import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderPatient } from './render.js';
import { examples } from '../../help.js';

export function patientsUnassignCommand(ctx: CliContext) {
  return new Command('unassign')
    .description("take a patient off a doctor's panel (admin, staff)")
    .addHelpText('after', examples('clinic patients unassign pt.ana.quinn dr.tanaka', 'clinic patients unassign pt.ana.quinn dr.tanaka --json'))
    .argument('<patient>', 'username or id')
    .argument('<doctor>', 'username or id')
    .action(async (patientRef, doctorRef) => {
      const { unassignPatient } = await import('../../../domain/patients/service.js');
      const { patient, changed } = await unassignPatient(await ctx.domain(), patientRef, doctorRef);
      ctx.output.success(changed ? `Took ${patient.username} off the panel of ${doctorRef}.` : `${patient.username} was not on the panel of ${doctorRef}.`);
      renderPatient(ctx.output, patient);
    });
}
