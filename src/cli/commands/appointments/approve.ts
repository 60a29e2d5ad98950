import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsApproveCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'approve', 'approve a PENDING appointment', 'Approved').addHelpText(
    'after',
    examples('clinic appointments approve 5c1f0e2a', 'clinic appointments approve 5c1f0e2a --json'),
  );
}
