import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { describeAppointment, renderAppointment } from './render.js';
import { examples } from '../../help.js';

export function appointmentsRescheduleCommand(ctx: CliContext) {
  return new Command('reschedule')
    .description('move an appointment: the old one is cancelled ("rescheduled") and a new one booked, in one step')
    .addHelpText(
      'after',
      examples(
        'clinic appointments reschedule 5c1f0e2a --date 2026-12-03 --time 10:00',
        'clinic appointments reschedule 5c1f0e2a --date 2026-12-03 --time 10:00 --json',
      ),
    )
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .requiredOption('--date <date>', 'new day, YYYY-MM-DD (clinic time zone)')
    .requiredOption('--time <time>', 'new start, HH:MM (clinic time zone)')
    .action(async (id, options) => {
      const { rescheduleAppointment } = await import('../../../domain/appointments/transitions.js');
      const appointment = await rescheduleAppointment(await ctx.domain(), { appointment: id, date: options.date, time: options.time });
      ctx.output.success(`Rescheduled to ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}
