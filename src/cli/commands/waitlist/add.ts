import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderWaitlistEntry } from './render.js';
import { examples } from '../../help.js';

export function waitlistAddCommand(ctx: CliContext) {
  return new Command('add')
    .description('wait for a freed slot with a doctor: the first one in the window is booked PENDING for the patient')
    .addHelpText(
      'after',
      examples(
        'clinic waitlist add --patient pt.ana.quinn --doctor dr.silva',
        'clinic waitlist add --patient pt.ana.quinn --doctor dr.silva --from 2026-12-07 --to 2026-12-18 --times 10:00-13:00 --days tue,thu',
      ),
    )
    .requiredOption('--patient <patient>', 'patient username or id')
    .requiredOption('--doctor <doctor>', 'doctor username or id')
    .option('--from <date>', 'first day the patient can come, YYYY-MM-DD (default: any)')
    .option('--to <date>', 'last day, YYYY-MM-DD, inclusive (default: open)')
    .option('--times <range>', 'time of day the slot must lie in, e.g. 09:00-12:00 (default: any)')
    .option('--days <days>', 'weekdays, e.g. mon-fri or mon,wed (default: every day)')
    .action(async (options) => {
      const { addToWaitlist } = await import('../../../domain/waitlist/service.js');
      const entry = await addToWaitlist(await ctx.domain(), options);
      ctx.output.success(`Added ${entry.patient} to ${entry.doctor}'s waitlist (${entry.id.slice(0, 8)}).`);
      renderWaitlistEntry(ctx.output, entry);
    });
}
