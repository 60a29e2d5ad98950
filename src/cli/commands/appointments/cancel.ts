import type { CliContext } from '../../context.js';
import { NO_WAITLIST_HELP, statusVerbCommand } from './status-verb.js';

export function appointmentsCancelCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'cancel', 'cancel a PENDING or APPROVED appointment', 'Cancelled', { description: 'why (required)', required: true })
    .option('--series', 'this and every following occurrence of its series that is still PENDING or APPROVED')
    .option('--no-waitlist', NO_WAITLIST_HELP);
}
