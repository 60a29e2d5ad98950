import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';

export function appointmentsCheckinCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'checkin', 'check in the patient of an APPROVED appointment', 'Checked in');
}
