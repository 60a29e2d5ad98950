import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerAppointments(program: Command, _ctx: CliContext): void {
  program.command('appointments').description('Book, list and manage appointments');
}
