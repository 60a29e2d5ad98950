import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsNoshowCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'noshow', 'mark an APPROVED appointment as a no-show', 'Marked no-show').addHelpText(
    'after',
    examples('clinic appointments noshow 5c1f0e2a', 'clinic appointments noshow 5c1f0e2a --json'),
  );
}
