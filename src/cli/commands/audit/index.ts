import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { auditListCommand } from './list.js';
import { auditVerifyCommand } from './verify.js';

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('Read and verify the audit log (admin)')
    .addCommand(auditListCommand(ctx))
    .addCommand(auditVerifyCommand(ctx));
}
