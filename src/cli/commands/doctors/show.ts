import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderDoctor } from './render.js';
import { examples } from '../../help.js';

export function doctorsShowCommand(ctx: CliContext) {
  return new Command('show')
    .description('show a doctor and their working hours')
    .addHelpText('after', examples('clinic doctors show dr.silva', 'clinic doctors show dr.silva --json'))
    .argument('<doctor>', 'username or id')
    .action(async (ref) => {
      const { showDoctor } = await import('../../../domain/doctors/service.js');
      renderDoctor(ctx.output, await showDoctor(await ctx.domain(), ref));
    });
}
