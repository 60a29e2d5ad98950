import type { CliContext } from '../../context.js';
import { NO_WAITLIST_HELP, statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsCancelCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'cancel', 'cancel a PENDING or APPROVED appointment', 'Cancelled', { description: 'why', required: true })
    .option(
      '--series',
      'this and every following occurrence of its series that is still PENDING or APPROVED (names them and asks; needs --yes without a terminal)',
    )
    .option('--no-waitlist', NO_WAITLIST_HELP)
    .addHelpText(
      'after',
      examples(
        'clinic appointments cancel 5c1f0e2a --reason "patient called"',
        'clinic appointments cancel 5c1f0e2a --reason "course finished" --series',
        'clinic appointments cancel 5c1f0e2a --reason "course finished" --series --yes --json',
        'clinic appointments cancel 5c1f0e2a --reason "duplicate booking" --json',
      ),
    );
}
