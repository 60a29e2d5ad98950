import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerTokens(program: Command, _ctx: CliContext): void {
  program.command('tokens').description('API tokens for scripts (CLINIC_TOKEN)');
}
