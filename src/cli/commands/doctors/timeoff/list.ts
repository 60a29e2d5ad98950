import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { renderTimeoffList } from './render.js';
import { examples } from '../../../help.js';

export function doctorsTimeoffListCommand(ctx: CliContext) {
  return new Command('list')
    .description("list a doctor's time off (admin, staff, the doctor)")
    .addHelpText('after', examples('clinic doctors timeoff list dr.silva', 'clinic doctors timeoff list dr.silva --json'))
    .argument('<doctor>', 'username or id')
    .action(async (ref) => {
      const { listTimeoff } = await import('../../../../domain/doctors/service.js');
      const { clinicWallClock } = await import('../../../../domain/settings/service.js');
      const domain = await ctx.domain();
      renderTimeoffList(ctx.output, await listTimeoff(domain, ref), await clinicWallClock(domain));
    });
}
