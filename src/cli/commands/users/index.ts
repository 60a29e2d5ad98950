import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { usersCreateCommand } from './create.js';
import { usersListCommand } from './list.js';
import { usersPasswdCommand } from './passwd.js';
import { usersShowCommand } from './show.js';
import { usersDisableCommand } from './disable.js';
import { usersEnableCommand } from './enable.js';
import { usersUpdateCommand } from './update.js';

/** The verbs of `clinic users` (program.ts lists the noun itself). */
export function registerUsers(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(usersCreateCommand(ctx))
    .addCommand(usersListCommand(ctx))
    .addCommand(usersShowCommand(ctx))
    .addCommand(usersUpdateCommand(ctx))
    .addCommand(usersDisableCommand(ctx))
    .addCommand(usersEnableCommand(ctx))
    .addCommand(usersPasswdCommand(ctx));
}
