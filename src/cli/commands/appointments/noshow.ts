import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';

export function appointmentsNoshowCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'noshow', 'mark an APPROVED appointment as a no-show', 'Marked no-show');
}
