import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsCancelCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'cancel', 'cancel a PENDING or APPROVED appointment', 'Cancelled')
    .requiredOption('--reason <reason>', 'why')
    .addHelpText(
      'after',
      examples('clinic appointments cancel 5c1f0e2a --reason "patient called"', 'clinic appointments cancel 5c1f0e2a --reason "duplicate booking" --json'),
    );
}
