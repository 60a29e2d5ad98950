import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { askedOption, askForMissing } from '../../prompting.js';
import { wholeNumber } from '../../options.js';
import { describeAppointment, renderAppointment } from './render.js';

export function appointmentsBookCommand(ctx: CliContext) {
  return new Command('book')
    .description('book an appointment at a given time, or at the first free slot with --next-available')
    .addOption(askedOption('--patient <patient>', 'patient username or id'))
    .addOption(askedOption('--doctor <doctor>', 'doctor username or id'))
    .addOption(askedOption('--date <date>', 'day, YYYY-MM-DD (clinic time zone)'))
    .addOption(askedOption('--time <time>', 'start, HH:MM (clinic time zone)'))
    .option('--next-available', 'the first free slot (within 90 days) instead of --date/--time')
    .option('--after <date>', 'with --next-available: search from this day on')
    .option('--duration <minutes>', "length in minutes: a multiple of the doctor's slot (default: one slot)", wholeNumber())
    .option('--reason <reason>', 'reason for the visit')
    .option('--approve', 'book it APPROVED at once (staff and admin)')
    .option('--idempotency-key <key>', 'a key of your own: repeating the same request with it returns the first booking')
    .action(async (given, command) => {
      const answers = await import('../../answers.js');
      const parties = { patient: answers.patientSearch(ctx), doctor: answers.doctorSearch(ctx) };
      // --next-available stands for --date and --time; --date alone asks only for the time, and so on.
      const options = given.nextAvailable
        ? await askForMissing(ctx, command, given, parties)
        : await askForMissing(ctx, command, given, { ...parties, date: answers.clinicDate, time: answers.freeSlotTime(ctx) }, { instead: '--next-available' });
      const { bookAppointment } = await import('../../../domain/appointments/booking.js');
      const appointment = await bookAppointment(await ctx.domain(), {
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
