import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { duration } from '../../options.js';
import { APPOINTMENT_COLUMNS } from './render.js';
import { examples } from '../../help.js';

export function appointmentsSweepNoshowsCommand(ctx: CliContext) {
  return new Command('sweep-noshows')
    .description('mark APPROVED appointments not checked in by their start plus a grace period as NO_SHOW (staff, admin)')
    .addHelpText('after', examples('clinic appointments sweep-noshows --dry-run', 'clinic appointments sweep-noshows --grace 30m'))
    .option('--grace <duration>', 'how long after the start, such as 15m or 1h (default 15m)', duration())
    .option('--dry-run', 'list them and change nothing')
    .action(async (options) => {
      const { sweepNoShows } = await import('../../../domain/appointments/noshow-sweep.js');
      const swept = await sweepNoShows(await ctx.domain(), { grace: options.grace, dryRun: options.dryRun });
      ctx.output.list(swept, APPOINTMENT_COLUMNS, (a) => a, 'No appointments to mark as no-shows.');
      if (swept.length > 0) {
        const n = `${swept.length} appointment${swept.length === 1 ? '' : 's'}`;
        if (options.dryRun) ctx.output.notice(`Would mark ${n} as no-shows (dry run: nothing changed).`);
        else ctx.output.success(`Marked ${n} as no-shows.`);
      }
    });
}
