import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { renderTimeoff } from './render.js';
import { examples } from '../../../help.js';

export function doctorsTimeoffRemoveCommand(ctx: CliContext) {
  return new Command('remove')
    .description('remove time off, by the id `doctors timeoff list` shows (admin, staff, the doctor)')
    .addHelpText('after', examples('clinic doctors timeoff remove dr.silva 1a2b3c4d', 'clinic doctors timeoff remove dr.silva 1a2b3c4d --json'))
    .argument('<doctor>', 'username or id')
    .argument('<id>', 'the time off id, or at least its first 8 characters')
    .action(async (ref, id) => {
      const { removeTimeoff } = await import('../../../../domain/doctors/service.js');
      const { clinicWallClock } = await import('../../../../domain/settings/service.js');
      const domain = await ctx.domain();
      const timeoff = await removeTimeoff(domain, ref, id);
      ctx.output.success(`Removed time off of ${timeoff.doctor}.`);
      renderTimeoff(ctx.output, timeoff, await clinicWallClock(domain));
    });
}
