import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerPatients(program: Command, _ctx: CliContext): void {
  program.command('patients').description('Patients and the panels of their doctors');
}
