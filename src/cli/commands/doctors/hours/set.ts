import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { renderWeek } from '../render.js';
import { examples } from '../../../help.js';

export function doctorsHoursSetCommand(ctx: CliContext) {
  return new Command('set')
    .description('set the working hours of some days, e.g. `mon-fri 09:00-12:00,13:00-17:00` or `sat off` (admin, staff, the doctor)')
    .addHelpText(
      'after',
      examples(
        'clinic doctors hours set dr.silva mon-fri 09:00-12:00,13:00-17:00',
        'clinic doctors hours set dr.silva sat 09:00-13:00',
        'clinic doctors hours set dr.silva sat,sun off',
      ),
    )
    .argument('<doctor>', 'username or id')
    .argument('<days>', 'mon-fri, mon,wed, sat, mon-wed,fri ...')
    .argument('<ranges>', '09:00-12:00,13:00-17:00, or off')
    .action(async (ref, days, ranges) => {
      const { setDoctorHours } = await import('../../../../domain/doctors/service.js');
      const week = await setDoctorHours(await ctx.domain(), ref, { days, ranges });
      ctx.output.success(`Set the hours of ${days} to ${ranges}.`);
      renderWeek(ctx.output, week);
    });
}
