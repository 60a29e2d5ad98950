import { Command, Option } from '@commander-js/extra-typings';
import type { StatusVerb } from '../../../domain/appointments/transitions.js';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { describeAppointment, renderAppointment } from './render.js';

/**
 * The shape shared by approve, reject, cancel, checkin, complete and noshow. A verb whose
 * `--reason` is `required` asks for it on a terminal (exit 2 naming it elsewhere).
 */
export function statusVerbCommand(ctx: CliContext, verb: StatusVerb, description: string, done: string, reason?: { description: string; required: boolean }) {
  const command = new Command(verb).description(description).argument('<id>', 'appointment id, or at least its first 8 characters');
  if (reason) command.addOption(reason.required ? askedOption('--reason <reason>', reason.description) : new Option('--reason <reason>', reason.description));
  return command.action(async (id, _options, command) => {
    const { changeAppointmentStatus, statusReason } = await import('../../../domain/appointments/transitions.js');
    let { reason: given } = command.opts() as { reason?: string };
    if (reason?.required) {
      ({ reason: given } = await askForMissing(
        ctx,
        command,
        { reason: given },
        { reason: { question: `Why is it ${done.toLowerCase()}?`, check: (text) => statusReason(verb, text) } },
      ));
    }
    const appointment = await changeAppointmentStatus(await ctx.domain(), { appointment: id, verb, reason: given });
    ctx.output.success(`${done} ${describeAppointment(appointment)}.`);
    renderAppointment(ctx.output, appointment);
  });
}
