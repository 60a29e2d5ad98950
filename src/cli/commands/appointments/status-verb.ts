import { Command } from '@commander-js/extra-typings';
import type { StatusVerb } from '../../../domain/appointments/transitions.js';
import type { CliContext } from '../../context.js';
import { APPOINTMENT_COLUMNS, describeAppointment, renderAppointment } from './render.js';

/** The shape shared by approve, reject, cancel, checkin, complete and noshow. */
export function statusVerbCommand(ctx: CliContext, verb: StatusVerb, description: string, done: string) {
  return new Command(verb)
    .description(description)
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .action(async (id, _options, command) => {
      // reason, series and --no-waitlist are declared by the verbs that take them
      const { reason, waitlist, series } = command.opts() as { reason?: string; waitlist?: boolean; series?: boolean };
      if (series) {
        const { cancelSeries } = await import('../../../domain/appointments/series.js');
        const cancelled = await cancelSeries(await ctx.domain(), { appointment: id, reason, waitlist });
        ctx.output.success(`${done} ${cancelled.length} occurrence${cancelled.length === 1 ? '' : 's'} of the series.`);
        ctx.output.list(cancelled, APPOINTMENT_COLUMNS);
        return;
      }
      const { changeAppointmentStatus } = await import('../../../domain/appointments/transitions.js');
      const appointment = await changeAppointmentStatus(await ctx.domain(), { appointment: id, verb, reason, waitlist });
      ctx.output.success(`${done} ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}

export const NO_WAITLIST_HELP = 'leave the freed slot free instead of offering it to the first matching waitlist entry';
