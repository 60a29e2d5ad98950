import type { CliContext } from '../../context.js';
import { NO_WAITLIST_HELP, statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsRejectCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'reject', 'decline a PENDING appointment', 'Rejected', {
    description: 'why (stored as the cancel reason)',
    required: false,
  })
    .option('--no-waitlist', NO_WAITLIST_HELP)
    .addHelpText('after', examples('clinic appointments reject 5c1f0e2a', 'clinic appointments reject 5c1f0e2a --reason "doctor away that week"'));
}
