import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function registerUsers(program: Command, _ctx: CliContext): void {
  program.command('users').description('Manage staff and admin accounts');
}
