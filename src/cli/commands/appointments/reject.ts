import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsRejectCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'reject', 'decline a PENDING appointment', 'Rejected')
    .option('--reason <reason>', 'why (stored as the cancel reason)')
    .addHelpText('after', examples('clinic appointments reject 5c1f0e2a', 'clinic appointments reject 5c1f0e2a --reason "doctor away that week"'));
}
