import type { CliContext } from '../../context.js';
import { statusVerbCommand } from './status-verb.js';
import { examples } from '../../help.js';

export function appointmentsCheckinCommand(ctx: CliContext) {
  return statusVerbCommand(ctx, 'checkin', 'check in the patient of an APPROVED appointment', 'Checked in').addHelpText(
    'after',
    examples('clinic appointments checkin 5c1f0e2a', 'clinic appointments checkin 5c1f0e2a --json'),
  );
}
