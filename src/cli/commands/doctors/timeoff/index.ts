import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { doctorsTimeoffAddCommand } from './add.js';
import { doctorsTimeoffListCommand } from './list.js';
import { doctorsTimeoffRemoveCommand } from './remove.js';
import { examples } from '../../../help.js';

export function doctorsTimeoffCommand(ctx: CliContext) {
  return new Command('timeoff')
    .description("a doctor's time off (clinic time zone)")
    .addHelpText(
      'after',
      examples('clinic doctors timeoff add dr.silva --from 2026-12-24 --to 2026-12-26 --reason holidays', 'clinic doctors timeoff list dr.silva'),
    )
    .addCommand(doctorsTimeoffAddCommand(ctx))
    .addCommand(doctorsTimeoffListCommand(ctx))
    .addCommand(doctorsTimeoffRemoveCommand(ctx));
}
