import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { describeAppointment, renderAppointment } from './render.js';

export function appointmentsRescheduleCommand(ctx: CliContext) {
  return new Command('reschedule')
    .description('move an appointment: the old one is cancelled ("rescheduled") and a new one booked, in one step')
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .addOption(askedOption('--date <date>', 'new day, YYYY-MM-DD (clinic time zone)'))
    .addOption(askedOption('--time <time>', 'new start, HH:MM (clinic time zone)'))
    .action(async (id, given, command) => {
      const answers = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, { date: answers.clinicDate, time: answers.clinicTime });
      const { rescheduleAppointment } = await import('../../../domain/appointments/transitions.js');
      const appointment = await rescheduleAppointment(await ctx.domain(), { appointment: id, date: options.date, time: options.time });
      ctx.output.success(`Rescheduled to ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}
