import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { APPOINTMENT_COLUMNS, describeAppointment, renderAppointment } from './render.js';
import { NO_WAITLIST_HELP } from './status-verb.js';

export function appointmentsRescheduleCommand(ctx: CliContext) {
  return new Command('reschedule')
    .description('move an appointment: the old one is cancelled ("rescheduled") and a new one booked, in one step')
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .addOption(askedOption('--date <date>', 'new day, YYYY-MM-DD (clinic time zone)'))
    .addOption(askedOption('--time <time>', 'new start, HH:MM (clinic time zone)'))
    .option('--series', 'move this and every following active occurrence of its series by the same offset, all or nothing')
    .option('--no-waitlist', NO_WAITLIST_HELP)
    .action(async (id, given, command) => {
      const answers = await import('../../answers.js');
      const options = await askForMissing(ctx, command, given, { date: answers.clinicDate, time: answers.clinicTime });
      const input = { appointment: id, date: options.date, time: options.time, waitlist: options.waitlist };
      if (options.series) {
        const { rescheduleSeries } = await import('../../../domain/appointments/series.js');
        const moved = await rescheduleSeries(await ctx.domain(), input);
        ctx.output.success(`Rescheduled ${moved.length} occurrence${moved.length === 1 ? '' : 's'} of the series.`);
        ctx.output.list(moved, APPOINTMENT_COLUMNS);
        return;
      }
      const { rescheduleAppointment } = await import('../../../domain/appointments/transitions.js');
      const appointment = await rescheduleAppointment(await ctx.domain(), input);
      ctx.output.success(`Rescheduled to ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}
