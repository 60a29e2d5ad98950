import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { doctorsHoursSetCommand } from './set.js';
import { doctorsHoursShowCommand } from './show.js';
import { examples } from '../../../help.js';

export function doctorsHoursCommand(ctx: CliContext) {
  return new Command('hours')
    .description("a doctor's weekly working hours (clinic time zone)")
    .addHelpText(
      'after',
      examples(
        'clinic doctors hours set dr.silva mon-fri 09:00-12:00,13:00-17:00',
        'clinic doctors hours set dr.silva sat off',
        'clinic doctors hours show dr.silva',
      ),
    )
    .addCommand(doctorsHoursSetCommand(ctx))
    .addCommand(doctorsHoursShowCommand(ctx));
}
