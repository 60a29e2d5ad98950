import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { settingsSetCommand } from './set.js';
import { settingsShowCommand } from './show.js';

/** The verbs of `clinic settings` (program.ts lists the noun itself). */
export function registerSettings(noun: Command, ctx: CliContext): void {
  noun.addCommand(settingsShowCommand(ctx)).addCommand(settingsSetCommand(ctx));
}
