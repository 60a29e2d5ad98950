import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../../context.js';
import { doctorsTimeoffAddCommand } from './add.js';
import { doctorsTimeoffListCommand } from './list.js';
import { doctorsTimeoffRemoveCommand } from './remove.js';

export function doctorsTimeoffCommand(ctx: CliContext) {
  return new Command('timeoff')
    .description("a doctor's time off (clinic time zone)")
    .addCommand(doctorsTimeoffAddCommand(ctx))
    .addCommand(doctorsTimeoffListCommand(ctx))
    .addCommand(doctorsTimeoffRemoveCommand(ctx));
}
