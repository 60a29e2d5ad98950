import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderPatient } from './render.js';
import { examples } from '../../help.js';

export function patientsAssignCommand(ctx: CliContext) {
  return new Command('assign')
    .description("put a patient on a doctor's panel (admin, staff)")
    .addHelpText('after', examples('clinic patients assign pt.ana.quinn dr.tanaka', 'clinic patients assign pt.ana.quinn dr.tanaka --json'))
    .argument('<patient>', 'username or id')
    .argument('<doctor>', 'username or id')
    .action(async (patientRef, doctorRef) => {
      const { assignPatient } = await import('../../../domain/patients/service.js');
      const { patient, changed } = await assignPatient(await ctx.domain(), patientRef, doctorRef);
      ctx.output.success(changed ? `Put ${patient.username} on the panel of ${doctorRef}.` : `${patient.username} was already on the panel of ${doctorRef}.`);
      renderPatient(ctx.output, patient);
    });
}
