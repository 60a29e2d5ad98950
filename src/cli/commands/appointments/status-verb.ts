import { Command } from '@commander-js/extra-typings';
import type { StatusVerb } from '../../../domain/appointments/transitions.js';
import type { CliContext } from '../../context.js';
import { describeAppointment, renderAppointment } from './render.js';

/** The shape shared by approve, reject, cancel, checkin, complete and noshow. */
export function statusVerbCommand(ctx: CliContext, verb: StatusVerb, description: string, done: string) {
  return new Command(verb)
    .description(description)
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .action(async (id, _options, command) => {
      const { changeAppointmentStatus } = await import('../../../domain/appointments/transitions.js');
      const reason = (command.opts() as { reason?: string }).reason;
      const appointment = await changeAppointmentStatus(await ctx.domain(), { appointment: id, verb, reason });
      ctx.output.success(`${done} ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}
