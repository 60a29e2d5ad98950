import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { patientsAddCommand } from './add.js';
import { patientsImportCommand } from './import.js';
import { patientsAssignCommand } from './assign.js';
import { patientsListCommand } from './list.js';
import { patientsShowCommand } from './show.js';
import { patientsUnassignCommand } from './unassign.js';
import { patientsUpdateCommand } from './update.js';

export function registerPatients(program: Command, ctx: CliContext): void {
  program
    .command('patients')
    .description('Patients and the panels of their doctors')
    .addCommand(patientsAddCommand(ctx))
    .addCommand(patientsImportCommand(ctx))
    .addCommand(patientsListCommand(ctx))
    .addCommand(patientsShowCommand(ctx))
    .addCommand(patientsUpdateCommand(ctx))
    .addCommand(patientsAssignCommand(ctx))
    .addCommand(patientsUnassignCommand(ctx));
}
