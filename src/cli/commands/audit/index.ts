import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerAudit(program: Command, _ctx: CliContext): void {
  program.command('audit').description('Read the audit log (admin)');
}
