import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { wholeNumber } from '../../options.js';
import { examples } from '../../help.js';

export function appointmentsSlotsCommand(ctx: CliContext) {
  return new Command('slots')
    .description("a doctor's free slots from a date on")
    .addHelpText(
      'after',
      examples(
        'clinic appointments slots --doctor dr.silva --date 2026-12-01',
        'clinic appointments slots --doctor dr.silva --date 2026-12-01 --days 7 --json',
      ),
    )
    .requiredOption('--doctor <doctor>', 'doctor username or id')
    .requiredOption('--date <date>', 'first day, YYYY-MM-DD (clinic time zone)')
    .option('--days <n>', 'how many days (default 1, at most 62)', wholeNumber())
    .action(async (options) => {
      const { listFreeSlots } = await import('../../../domain/appointments/queries.js');
      const slots = await listFreeSlots(await ctx.domain(), { doctor: options.doctor, date: options.date, days: options.days });
      ctx.output.list(
        slots,
        [
          { header: 'DATE', value: (slot) => slot.date },
          { header: 'TIME', value: (slot) => slot.timeSlot },
        ],
        (slot) => slot,
        'No free slots.',
      );
    });
}
