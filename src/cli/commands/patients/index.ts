import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { patientsAddCommand } from './add.js';
import { patientsImportCommand } from './import.js';
import { patientsAssignCommand } from './assign.js';
import { patientsListCommand } from './list.js';
import { patientsShowCommand } from './show.js';
import { patientsUnassignCommand } from './unassign.js';
import { patientsUpdateCommand } from './update.js';

/** The verbs of `clinic patients` (program.ts lists the noun itself). */
export function registerPatients(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(patientsAddCommand(ctx))
    .addCommand(patientsImportCommand(ctx))
    .addCommand(patientsListCommand(ctx))
    .addCommand(patientsShowCommand(ctx))
    .addCommand(patientsUpdateCommand(ctx))
    .addCommand(patientsAssignCommand(ctx))
    .addCommand(patientsUnassignCommand(ctx));
}
