import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { settingsSetCommand } from './set.js';
import { settingsShowCommand } from './show.js';

export function registerSettings(program: Command, ctx: CliContext): void {
  program
    .command('settings')
    .description('Show and change clinic settings (time zone, session limits)')
    .addCommand(settingsShowCommand(ctx))
    .addCommand(settingsSetCommand(ctx));
}
