import { Command, Option } from '@commander-js/extra-typings';
import type { StatusVerb } from '../../../domain/appointments/transitions.js';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { APPOINTMENT_COLUMNS, appointmentFields, describeAppointment, describeOccurrences, renderAppointment } from './render.js';
import { printsFields } from '../../json-fields.js';

/**
 * The shape shared by approve, reject, cancel, checkin, complete and noshow. A verb whose
 * `--reason` is `required` asks for it on a terminal (exit 2 naming it elsewhere); `--series` and
 * `--no-waitlist` are declared by the verbs that take them.
 */
export function statusVerbCommand(ctx: CliContext, verb: StatusVerb, description: string, done: string, reason?: { description: string; required: boolean }) {
  const command = printsFields(new Command(verb), appointmentFields)
    .description(description)
    .argument('<id>', 'appointment id, or at least its first 8 characters');
  if (reason) command.addOption(reason.required ? askedOption('--reason <reason>', reason.description) : new Option('--reason <reason>', reason.description));
  return command.action(async (id, _options, command) => {
    const { changeAppointmentStatus, statusReason } = await import('../../../domain/appointments/transitions.js');
    const opts = command.opts() as { reason?: string; waitlist?: boolean; series?: boolean };
    let given = opts.reason;
    if (reason?.required) {
      ({ reason: given } = await askForMissing(
        ctx,
        command,
        { reason: given },
        { reason: { question: `Why is it ${done.toLowerCase()}?`, check: (text) => statusReason(verb, text) } },
      ));
    }
    if (opts.series) {
      const { cancelSeries, planSeriesChange } = await import('../../../domain/appointments/series.js');
      // CANCELLED is final: name what the bulk cancel covers and ask (DESIGN §4), holding nothing meanwhile.
      const occurrences = await ctx.briefly((domain) => planSeriesChange(domain, { appointment: id }));
      await ctx.prompter.confirm(`Cancel ${describeOccurrences(occurrences)}?`, ctx.globals.yes);
      const confirmed = occurrences.map((occurrence) => occurrence.id);
      const cancelled = await cancelSeries(await ctx.domain(), { appointment: id, reason: given, waitlist: opts.waitlist, confirmed });
      ctx.output.success(`${done} ${cancelled.length} occurrence${cancelled.length === 1 ? '' : 's'} of the series.`);
      ctx.output.list(cancelled, APPOINTMENT_COLUMNS);
      return;
    }
    const appointment = await changeAppointmentStatus(await ctx.domain(), { appointment: id, verb, reason: given, waitlist: opts.waitlist });
    ctx.output.success(`${done} ${describeAppointment(appointment)}.`);
    renderAppointment(ctx.output, appointment);
  });
}

export const NO_WAITLIST_HELP = 'leave the freed slot free instead of offering it to the first matching waitlist entry';
