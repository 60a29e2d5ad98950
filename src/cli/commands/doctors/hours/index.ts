import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { doctorsHoursSetCommand } from './set.js';
import { doctorsHoursShowCommand } from './show.js';

export function doctorsHoursCommand(ctx: CliContext) {
  return new Command('hours')
    .description("a doctor's weekly working hours (clinic time zone)")
    .addCommand(doctorsHoursSetCommand(ctx))
    .addCommand(doctorsHoursShowCommand(ctx));
}
