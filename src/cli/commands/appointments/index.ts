import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { appointmentsAgendaCommand } from './agenda.js';
import { appointmentsApproveCommand } from './approve.js';
import { appointmentsBookCommand } from './book.js';
import { appointmentsCancelCommand } from './cancel.js';
import { appointmentsCheckinCommand } from './checkin.js';
import { appointmentsCompleteCommand } from './complete.js';
import { appointmentsDueCommand } from './due.js';
import { appointmentsExportCommand } from './export.js';
import { appointmentsImportCommand } from './import.js';
import { appointmentsListCommand } from './list.js';
import { appointmentsNoshowCommand } from './noshow.js';
import { appointmentsRejectCommand } from './reject.js';
import { appointmentsRescheduleCommand } from './reschedule.js';
import { appointmentsShowCommand } from './show.js';
import { appointmentsSlotsCommand } from './slots.js';
import { appointmentsSweepNoshowsCommand } from './sweep-noshows.js';

/** The verbs of `clinic appointments` (program.ts lists the noun itself). */
export function registerAppointments(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(appointmentsBookCommand(ctx))
    .addCommand(appointmentsSlotsCommand(ctx))
    .addCommand(appointmentsListCommand(ctx))
    .addCommand(appointmentsAgendaCommand(ctx))
    .addCommand(appointmentsShowCommand(ctx))
    .addCommand(appointmentsApproveCommand(ctx))
    .addCommand(appointmentsRejectCommand(ctx))
    .addCommand(appointmentsCancelCommand(ctx))
    .addCommand(appointmentsRescheduleCommand(ctx))
    .addCommand(appointmentsCheckinCommand(ctx))
    .addCommand(appointmentsCompleteCommand(ctx))
    .addCommand(appointmentsNoshowCommand(ctx))
    .addCommand(appointmentsSweepNoshowsCommand(ctx))
    .addCommand(appointmentsDueCommand(ctx))
    .addCommand(appointmentsImportCommand(ctx))
    .addCommand(appointmentsExportCommand(ctx));
}
