import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';

export function appointmentsCompleteCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'complete', 'complete a CHECKED_IN appointment', 'Completed');
}
