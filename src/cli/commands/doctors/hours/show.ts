import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { renderWeek } from '../render.js';
import { examples } from '../../../help.js';

export function doctorsHoursShowCommand(ctx: CliContext) {
  return new Command('show')
    .description("show a doctor's working week")
    .addHelpText('after', examples('clinic doctors hours show dr.silva', 'clinic doctors hours show dr.silva --json'))
    .argument('<doctor>', 'username or id')
    .action(async (ref) => {
      const { showDoctorHours } = await import('../../../../domain/doctors/service.js');
      renderWeek(ctx.output, await showDoctorHours(await ctx.domain(), ref));
    });
}
