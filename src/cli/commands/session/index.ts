import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { initCommand } from './init.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { whoamiCommand } from './whoami.js';

/** Set-up and session verbs sit at the top level: init, login, logout, whoami. */
export function registerSession(program: Command, ctx: CliContext): void {
  program.addCommand(initCommand(ctx)).addCommand(loginCommand(ctx)).addCommand(logoutCommand(ctx)).addCommand(whoamiCommand(ctx));
}
