import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsCompleteCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'complete', 'complete a CHECKED_IN appointment', 'Completed').addHelpText(
    'after',
    examples('clinic appointments complete 5c1f0e2a', 'clinic appointments complete 5c1f0e2a --json'),
  );
}
