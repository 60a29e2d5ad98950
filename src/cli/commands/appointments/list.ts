import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { wholeNumber } from '../../options.js';
import { APPOINTMENT_COLUMNS } from './render.js';

export function appointmentsListCommand(ctx: CliContext) {
  return new Command('list')
    .description('appointments in time order, from today on unless --date or --from/--to is given')
    .option('--doctor <doctor>', 'only this doctor (username or id)')
    .option('--patient <patient>', 'only this patient (username or id)')
    .option('--date <date>', 'only this day, YYYY-MM-DD')
    .option('--from <date>', 'from this day, YYYY-MM-DD')
    .option('--to <date>', 'up to and including this day, YYYY-MM-DD')
    .option('--status <status>', 'PENDING, APPROVED, REJECTED, CANCELLED, CHECKED_IN, COMPLETED or NO_SHOW')
    .option('--limit <n>', 'at most this many', wholeNumber())
    .action(async (options) => {
      const { listAppointments } = await import('../../../domain/appointments/queries.js');
      const appointments = await listAppointments(await ctx.domain(), options);
      ctx.output.list(appointments, APPOINTMENT_COLUMNS, (a) => a, 'No appointments.');
    });
}
