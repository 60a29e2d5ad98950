import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { duration } from '../../options.js';
import { examples } from '../../help.js';

export function appointmentsDueCommand(ctx: CliContext) {
  return new Command('due')
    .description('APPROVED appointments starting soon that have not been reminded: the feed of a reminder job (staff, admin)')
    .addHelpText('after', examples('clinic appointments due', 'clinic appointments due --within 2h --mark-reminded --json'))
    .option('--within <duration>', 'how far ahead, such as 30m, 24h or 2d (default 24h)', duration())
    .option('--mark-reminded', 'record them as reminded in the same call, so that the next run leaves them out')
    .addHelpText(
      'after',
      '\nA cron job that sends reminders runs, every few minutes:\n' +
        '  clinic appointments due --within 24h --mark-reminded --json | send-reminders\n' +
        'Each appointment is returned by exactly one run, even when two runs overlap.',
    )
    .action(async (options) => {
      const { dueAppointments } = await import('../../../domain/appointments/reminders.js');
      const due = await dueAppointments(await ctx.domain(), { within: options.within, markReminded: options.markReminded });
      ctx.output.list(
        due,
        [
          { header: 'ID', value: (a) => a.id.slice(0, 8) },
          { header: 'DATE', value: (a) => a.date },
          { header: 'TIME', value: (a) => a.timeSlot },
          { header: 'PATIENT', value: (a) => a.patientName, fit: true },
          { header: 'PHONE', value: (a) => a.patientPhone },
          { header: 'EMAIL', value: (a) => a.patientEmail, fit: true },
          { header: 'DOCTOR', value: (a) => a.doctorName, fit: true },
        ],
        (a) => a,
        options.markReminded ? 'No appointments to remind.' : 'No appointments are due a reminder.',
      );
      if (options.markReminded && due.length > 0) ctx.output.success(`Marked ${due.length} appointment${due.length === 1 ? '' : 's'} as reminded.`);
    });
}
