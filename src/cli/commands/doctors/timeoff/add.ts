import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { askedOption, askForMissing } from '../../../prompting.js';
import { renderTimeoff } from './render.js';
import { examples } from '../../../help.js';

export function doctorsTimeoffAddCommand(ctx: CliContext) {
  return new Command('add')
    .description('add time off; a date without a time means the whole day (admin, staff, the doctor)')
    .addHelpText(
      'after',
      examples(
        'clinic doctors timeoff add dr.silva --from 2026-12-24 --to 2026-12-26 --reason holidays',
        'clinic doctors timeoff add dr.silva --from 2026-12-03T14:00 --to 2026-12-03T16:00 --reason training',
      ),
    )
    .argument('<doctor>', 'username or id')
    .addOption(askedOption('--from <when>', 'YYYY-MM-DD or YYYY-MM-DDTHH:MM, clinic time zone'))
    .addOption(askedOption('--to <when>', 'YYYY-MM-DD (through the end of that day) or YYYY-MM-DDTHH:MM'))
    .option('--reason <reason>', 'why (at most 500 characters)')
    .action(async (ref, given, command) => {
      const answers = await import('../../../answers.js');
      const options = await askForMissing(ctx, command, given, { from: answers.clinicMoment('--from'), to: answers.clinicMoment('--to') });
      const { addTimeoff } = await import('../../../../domain/doctors/service.js');
      const { clinicWallClock } = await import('../../../../domain/settings/service.js');
      const domain = await ctx.domain();
      const timeoff = await addTimeoff(domain, ref, { from: options.from, to: options.to, reason: options.reason });
      ctx.output.success(`Added time off for ${timeoff.doctor}.`);
      renderTimeoff(ctx.output, timeoff, await clinicWallClock(domain));
    });
}
