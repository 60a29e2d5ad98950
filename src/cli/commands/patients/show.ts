import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderPatient } from './render.js';
import { examples } from '../../help.js';

export function patientsShowCommand(ctx: CliContext) {
  return new Command('show')
    .description('show a patient and their doctors (the view is audited)')
    .addHelpText('after', examples('clinic patients show pt.ana.quinn', 'clinic patients show pt.ana.quinn --json'))
    .argument('<patient>', 'username or id')
    .action(async (ref) => {
      const { showPatient } = await import('../../../domain/patients/service.js');
      renderPatient(ctx.output, await showPatient(await ctx.domain(), ref));
    });
}
