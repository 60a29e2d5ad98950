import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { auditListCommand } from './list.js';
import { auditVerifyCommand } from './verify.js';

/** The verbs of `clinic audit` (program.ts lists the noun itself). */
export function registerAudit(noun: Command, ctx: CliContext): void {
  noun.addCommand(auditListCommand(ctx)).addCommand(auditVerifyCommand(ctx));
}
