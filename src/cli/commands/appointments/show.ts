import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderAppointment } from './render.js';
import { examples } from '../../help.js';

export function appointmentsShowCommand(ctx: CliContext) {
  return new Command('show')
    .description('one appointment')
    .addHelpText('after', examples('clinic appointments show 5c1f0e2a', 'clinic appointments show 5c1f0e2a --json'))
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .action(async (id) => {
      const { showAppointment } = await import('../../../domain/appointments/queries.js');
      renderAppointment(ctx.output, await showAppointment(await ctx.domain(), { appointment: id }));
    });
}
