import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { wholeNumber } from '../../options.js';
import { describeAppointment, renderAppointment } from './render.js';
import { examples } from '../../help.js';

export function appointmentsBookCommand(ctx: CliContext) {
  return new Command('book')
    .description('book an appointment at a given time, or at the first free slot with --next-available')
    .addHelpText(
      'after',
      examples(
        'clinic appointments book --patient joao.p --doctor dr.silva --date 2026-12-01 --time 09:30',
        'clinic appointments book --patient joao.p --doctor dr.silva --next-available --approve',
        'clinic appointments book --patient joao.p --doctor dr.silva --next-available --after 2026-12-14 --duration 60 --reason "annual check-up"',
        'clinic appointments book --patient joao.p --doctor dr.silva --date 2026-12-01 --time 09:30 --idempotency-key row-17 --json',
      ),
    )
    .requiredOption('--patient <patient>', 'patient username or id')
    .requiredOption('--doctor <doctor>', 'doctor username or id')
    .option('--date <date>', 'day, YYYY-MM-DD (clinic time zone)')
    .option('--time <time>', 'start, HH:MM (clinic time zone)')
    .option('--next-available', 'the first free slot (within 90 days) instead of --date/--time')
    .option('--after <date>', 'with --next-available: search from this day on')
    .option('--duration <minutes>', "length in minutes: a multiple of the doctor's slot (default: one slot)", wholeNumber())
    .option('--reason <reason>', 'reason for the visit')
    .option('--approve', 'book it APPROVED at once (staff and admin)')
    .option('--idempotency-key <key>', 'a key of your own: repeating the same request with it returns the first booking')
    .action(async (options) => {
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
