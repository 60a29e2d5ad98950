import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { doctorsAddCommand } from './add.js';
import { doctorsImportCommand } from './import.js';
import { doctorsHoursCommand } from './hours/index.js';
import { doctorsListCommand } from './list.js';
import { doctorsShowCommand } from './show.js';
import { doctorsTimeoffCommand } from './timeoff/index.js';
import { doctorsUpdateCommand } from './update.js';

/** The verbs of `clinic doctors` (program.ts lists the noun itself). */
export function registerDoctors(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(doctorsAddCommand(ctx))
    .addCommand(doctorsImportCommand(ctx))
    .addCommand(doctorsListCommand(ctx))
    .addCommand(doctorsShowCommand(ctx))
    .addCommand(doctorsUpdateCommand(ctx))
    .addCommand(doctorsHoursCommand(ctx))
    .addCommand(doctorsTimeoffCommand(ctx));
}
