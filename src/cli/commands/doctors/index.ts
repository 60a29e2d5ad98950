import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { doctorsAddCommand } from './add.js';
import { doctorsImportCommand } from './import.js';
import { doctorsHoursCommand } from './hours/index.js';
import { doctorsListCommand } from './list.js';
import { doctorsShowCommand } from './show.js';
import { doctorsTimeoffCommand } from './timeoff/index.js';
import { doctorsUpdateCommand } from './update.js';

export function registerDoctors(program: Command, ctx: CliContext): void {
  program
    .command('doctors')
    .description('Doctors, their working hours and time off')
    .addCommand(doctorsAddCommand(ctx))
    .addCommand(doctorsImportCommand(ctx))
    .addCommand(doctorsListCommand(ctx))
    .addCommand(doctorsShowCommand(ctx))
    .addCommand(doctorsUpdateCommand(ctx))
    .addCommand(doctorsHoursCommand(ctx))
    .addCommand(doctorsTimeoffCommand(ctx));
}
