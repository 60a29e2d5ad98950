import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { appointmentsImportCommand } from './import.js';

export function registerAppointments(program: Command, ctx: CliContext): void {
  program
    .command('appointments')
    .description('Book, list and manage appointments')
    .addCommand(appointmentsImportCommand(ctx));
}
