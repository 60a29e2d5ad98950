import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { usersCreateCommand } from './create.js';
import { usersListCommand } from './list.js';
import { usersPasswdCommand } from './passwd.js';
import { usersShowCommand } from './show.js';
import { usersDisableCommand } from './disable.js';
import { usersEnableCommand } from './enable.js';
import { usersUpdateCommand } from './update.js';

export function registerUsers(program: Command, ctx: CliContext): void {
  program
    .command('users')
    .description('Manage staff and admin accounts')
    .addCommand(usersCreateCommand(ctx))
    .addCommand(usersListCommand(ctx))
    .addCommand(usersShowCommand(ctx))
    .addCommand(usersUpdateCommand(ctx))
    .addCommand(usersDisableCommand(ctx))
    .addCommand(usersEnableCommand(ctx))
    .addCommand(usersPasswdCommand(ctx));
}
