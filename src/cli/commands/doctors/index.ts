import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerDoctors(program: Command, _ctx: CliContext): void {
  program.command('doctors').description('Doctors, their working hours and time off');
}
