import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { UsageError } from '../../usage-error.js';
import { APPOINTMENT_COLUMNS, appointmentFields, describeAppointment, describeOccurrences, renderAppointment } from './render.js';
import { NO_WAITLIST_HELP } from './status-verb.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function appointmentsRescheduleCommand(ctx: CliContext) {
  return printsFields(new Command('reschedule'), appointmentFields)
    .description('move an appointment: the old one is cancelled ("rescheduled") and a new one booked, in one step')
    .addHelpText(
      'after',
      examples(
        'clinic appointments reschedule 5c1f0e2a --date 2026-12-03 --time 10:00',
        'clinic appointments reschedule 5c1f0e2a --next-available --after 2026-12-14',
        'clinic appointments reschedule 5c1f0e2a --date 2026-12-03 --time 10:00 --series',
        'clinic appointments reschedule 5c1f0e2a --date 2026-12-03 --time 10:00 --json',
      ),
    )
    .argument('<id>', 'appointment id, or at least its first 8 characters')
    .addOption(askedOption('--date <date>', 'new day, YYYY-MM-DD (clinic time zone)', { unless: '--next-available' }))
    .addOption(askedOption('--time <time>', 'new start, HH:MM (clinic time zone)', { unless: '--next-available' }))
    .option('--next-available', 'the first free slot of the same length (within 90 days) instead of --date/--time')
    .option('--after <date>', 'with --next-available: search from this day on')
    .option(
      '--series',
      'move this and every following active occurrence of its series by the same offset, all or nothing (names them and asks; needs --yes without a terminal)',
    )
    .option('--no-waitlist', NO_WAITLIST_HELP)
    .action(async (id, given, command) => {
      const answers = await import('../../answers.js');
      // --next-available stands for --date and --time; the time is picked from that day's free starts.
      const options = given.nextAvailable
        ? given
        : await askForMissing(
            ctx,
            command,
            given,
            { date: answers.rescheduleDate(ctx, id), time: answers.rescheduleSlotTime(ctx, id) },
            { instead: { flag: '--next-available', of: ['date', 'time'] } },
          );
      const input = {
        appointment: id,
        date: options.date,
        time: options.time,
        nextAvailable: options.nextAvailable,
        after: options.after,
        waitlist: options.waitlist,
      };
      if (options.series) {
        if (options.date === undefined || options.time === undefined) throw new UsageError('--series moves by --date and --time, not --next-available.');
        const { planSeriesChange, rescheduleSeries } = await import('../../../domain/appointments/series.js');
        const moveTo = { date: options.date, time: options.time };
        // The old occurrences become CANCELLED, which is final: name them and ask, as cancel --series does.
        const occurrences = await ctx.briefly((domain) => planSeriesChange(domain, { appointment: id, moveTo }));
        const question = `Move ${describeOccurrences(occurrences)}: the first to ${moveTo.date} ${moveTo.time} and the others by the same offset?`;
        await ctx.prompter.confirm(question, ctx.globals.yes);
        const confirmed = occurrences.map((occurrence) => occurrence.id);
        const moved = await rescheduleSeries(await ctx.domain(), { ...input, ...moveTo, confirmed });
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
