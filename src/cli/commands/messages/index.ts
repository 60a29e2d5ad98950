import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerMessages(program: Command, _ctx: CliContext): void {
  program.command('messages').description('Messages between users');
}
