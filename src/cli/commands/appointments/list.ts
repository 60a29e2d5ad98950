import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { printsFields } from '../../json-fields.js';
import { ALL_HELP, LIMIT_HELP, listLimit, wholeNumber } from '../../options.js';
import { APPOINTMENT_COLUMNS, appointmentFields } from './render.js';
import { examples } from '../../help.js';

export function appointmentsListCommand(ctx: CliContext) {
  return printsFields(new Command('list'), appointmentFields)
    .description('appointments in time order, from today on unless --today, --date or --from/--to is given')
    .addHelpText(
      'after',
      examples(
        'clinic appointments list --today',
        'clinic appointments list --doctor dr.silva --from 2026-12-01 --to 2026-12-07',
        'clinic appointments list --status PENDING --all',
        'clinic appointments list --patient pt.ana.quinn --fields id,date,startTime,status',
      ),
    )
    .option('--doctor <doctor>', 'only this doctor (username or id)')
    .option('--patient <patient>', 'only this patient (username or id)')
    .option('--date <date>', 'only this day, YYYY-MM-DD')
    .addOption(new Option('--today', "only today (the clinic time zone's)").conflicts(['date', 'from', 'to']))
    .option('--from <date>', 'from this day, YYYY-MM-DD')
    .option('--to <date>', 'up to and including this day, YYYY-MM-DD')
    .option('--status <status>', 'PENDING, APPROVED, REJECTED, CANCELLED, CHECKED_IN, COMPLETED or NO_SHOW')
    .option('--limit <n>', LIMIT_HELP, wholeNumber())
    .option('--all', ALL_HELP)
    .action(async ({ all, ...options }) => {
      const limit = listLimit({ limit: options.limit, all });
      const { listAppointments } = await import('../../../domain/appointments/queries.js');
      const page = await listAppointments(await ctx.domain(), { ...options, limit });
      ctx.output.page(page, APPOINTMENT_COLUMNS, (a) => a, 'No appointments.', 'appointments');
    });
}
