import { Command, Option } from '@commander-js/extra-typings';
import type { SeriesResult } from '../../../domain/appointments/series.js';
import { MAX_OCCURRENCES, REPEATS } from '../../../domain/appointments/repeat.js';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { wholeNumber } from '../../options.js';
import { UsageError } from '../../usage-error.js';
import { APPOINTMENT_COLUMNS, appointmentFields, describeAppointment, renderAppointment } from './render.js';
import { examples } from '../../help.js';
import { printsFields } from '../../json-fields.js';

export function appointmentsBookCommand(ctx: CliContext) {
  return printsFields(new Command('book'), async () => {
    const [appointment, { SERIES_RESULT_FIELDS }] = await Promise.all([appointmentFields(), import('../../../domain/appointments/series.js')]);
    return [...appointment, ...SERIES_RESULT_FIELDS];
  })
    .description('book an appointment at a given time, or at the first free slot with --next-available')
    .addHelpText(
      'after',
      examples(
        'clinic appointments book --patient pt.ana.quinn --doctor dr.silva --date 2026-12-08 --time 10:30',
        'clinic appointments book --patient pt.ana.quinn --doctor dr.silva --next-available --approve',
        'clinic appointments book --patient pt.ana.quinn --doctor dr.silva --date 2026-12-08 --time 10:30 --repeat weekly --count 6',
        'clinic appointments book --patient pt.ana.quinn --doctor dr.silva --date 2026-12-08 --time 10:30 --idempotency-key row-17 --json',
      ),
    )
    .addOption(askedOption('--patient <patient>', 'patient username or id'))
    .addOption(askedOption('--doctor <doctor>', 'doctor username or id'))
    .addOption(askedOption('--date <date>', 'day, YYYY-MM-DD (clinic time zone)', { unless: '--next-available' }))
    .addOption(askedOption('--time <time>', 'start, HH:MM (clinic time zone)', { unless: '--next-available' }))
    .option('--next-available', 'the first free slot (within 90 days) instead of --date/--time')
    .option('--after <date>', 'with --next-available: search from this day on')
    .option('--duration <minutes>', "length in minutes: a multiple of the doctor's slot (default: one slot)", wholeNumber())
    .option('--reason <reason>', 'reason for the visit')
    .option('--approve', 'book it APPROVED at once (staff and admin)')
    .option('--idempotency-key <key>', 'a key of your own: repeating the same request with it returns the first booking')
    .addOption(new Option('--repeat <rule>', 'book a series from --date at the same clinic time: every day, week, 2 weeks or month').choices(REPEATS))
    .option('--count <n>', `with --repeat: this many occurrences (1-${MAX_OCCURRENCES})`, wholeNumber({ min: 1, max: MAX_OCCURRENCES }))
    .option('--until <date>', 'with --repeat: occurrences up to and including this day (at most a year)')
    .option('--skip-conflicts', 'with --repeat: book the occurrences that fit and list the others (default: all or nothing)')
    .action(async (given, command) => {
      seriesUsage(given);
      const answers = await import('../../answers.js');
      const parties = { patient: answers.patientSearch(ctx), doctor: answers.doctorSearch(ctx) };
      // --next-available stands for --date and --time; --date alone asks only for the time, and so on.
      const options = given.nextAvailable
        ? await askForMissing(ctx, command, given, parties)
        : await askForMissing(
            ctx,
            command,
            given,
            { ...parties, date: answers.bookingDate(ctx), time: answers.freeSlotTime(ctx) },
            { instead: { flag: '--next-available', of: ['date', 'time'] } },
          );
      const domain = await ctx.domain();
      if (options.repeat !== undefined) {
        const { seriesDates } = await import('../../../domain/appointments/series-dates.js');
        const plan = seriesDates(options.date!, options.repeat, options.count !== undefined ? { count: options.count } : { until: options.until! });
        if ('problem' in plan) throw new UsageError(plan.problem, `A series has at most ${MAX_OCCURRENCES} occurrences, within a year of the first.`);
        const { bookSeries } = await import('../../../domain/appointments/series.js');
        const result = await bookSeries(domain, {
          patient: options.patient,
          doctor: options.doctor,
          date: options.date!,
          time: options.time!,
          repeat: options.repeat,
          count: options.count,
          until: options.until,
          durationMinutes: options.duration,
          reason: options.reason,
          approve: options.approve,
          skipConflicts: options.skipConflicts,
        });
        renderSeries(ctx, result);
        return;
      }
      const { bookAppointment } = await import('../../../domain/appointments/booking.js');
      const appointment = await bookAppointment(domain, {
        patient: options.patient,
        doctor: options.doctor,
        date: options.date,
        time: options.time,
        nextAvailable: options.nextAvailable,
        after: options.after,
        durationMinutes: options.duration,
        reason: options.reason,
        approve: options.approve,
        idempotencyKey: options.idempotencyKey,
      });
      ctx.output.success(`Booked ${describeAppointment(appointment)}.`);
      renderAppointment(ctx.output, appointment);
    });
}

/** The flag combinations a series takes, checked before anything is asked or opened (exit 2); a missing --date/--time is asked on a terminal. */
function seriesUsage(options: {
  date?: string | undefined;
  time?: string | undefined;
  repeat?: (typeof REPEATS)[number] | undefined;
  count?: number | undefined;
  until?: string | undefined;
  nextAvailable?: true | undefined;
  idempotencyKey?: string | undefined;
  skipConflicts?: true | undefined;
}): void {
  if (options.repeat === undefined) {
    if (options.count !== undefined || options.until !== undefined || options.skipConflicts)
      throw new UsageError('--count, --until and --skip-conflicts go with --repeat.');
    return;
  }
  if (options.nextAvailable || options.idempotencyKey !== undefined)
    throw new UsageError('--repeat takes --date and --time, not --next-available or --idempotency-key.');
  if ((options.count === undefined) === (options.until === undefined)) throw new UsageError('--repeat needs --count N or --until DATE (one of them).');
}

function renderSeries(ctx: CliContext, result: SeriesResult): void {
  const { output } = ctx;
  if (output.json) {
    output.data(result, () => '');
    return;
  }
  const total = result.appointments.length + result.skipped.length;
  output.success(`Booked ${result.appointments.length} of ${total} occurrences (series ${result.seriesId.slice(0, 8)}).`);
  output.list(result.appointments, APPOINTMENT_COLUMNS);
  for (const skipped of result.skipped) output.warn(`Skipped ${skipped.date} ${skipped.startTime}: ${skipped.message}`);
}
