import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { describeAppointment, renderAppointment } from './render.js';

export function appointmentsRescheduleCommand(ctx: CliContext) {
  return new Command('reschedule')
    .description('move an appointment: the old one is cancelled ("rescheduled") and a new one booked, in one step')
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .option('--date <date>', 'new day, YYYY-MM-DD (clinic time zone)')
    .option('--time <time>', 'new start, HH:MM (clinic time zone)')
    .option('--next-available', 'the first free slot of the same length (within 90 days) instead of --date/--time')
    .option('--after <date>', 'with --next-available: search from this day on')
    .action(async (id, options) => {
      const { rescheduleAppointment } = await import('../../../domain/appointments/transitions.js');
      const appointment = await rescheduleAppointment(await ctx.domain(), {
        appointment: id,
        date: options.date,
        time: options.time,
        nextAvailable: options.nextAvailable,
        after: options.after,
      });
      ctx.output.success(`Rescheduled to ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}
