import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

/** Set-up and session verbs sit at the top level: init, login, logout, whoami. */
export function registerSession(_program: Command, _ctx: CliContext): void {}
