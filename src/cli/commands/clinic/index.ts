import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { clinicExportCommand } from './export.js';
import { clinicImportCommand } from './import.js';

/** `clinic export` and `clinic import`: the whole clinic, lossless (README "Moving a clinic"). */
export function registerClinicTransfer(program: Command, ctx: CliContext): void {
  program.addCommand(clinicExportCommand(ctx)).addCommand(clinicImportCommand(ctx));
}
