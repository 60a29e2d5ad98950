import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';

export function appointmentsCancelCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'cancel', 'cancel a PENDING or APPROVED appointment', 'Cancelled', { description: 'why (required)', required: true });
}
