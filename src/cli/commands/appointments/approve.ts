import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';

export function appointmentsApproveCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'approve', 'approve a PENDING appointment', 'Approved');
}
