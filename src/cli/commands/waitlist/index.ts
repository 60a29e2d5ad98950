import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { waitlistAddCommand } from './add.js';
import { waitlistListCommand } from './list.js';
import { waitlistRemoveCommand } from './remove.js';

/** The verbs of `clinic waitlist` (program.ts lists the noun itself). */
export function registerWaitlist(noun: Command, ctx: CliContext): void {
  noun.addCommand(waitlistAddCommand(ctx)).addCommand(waitlistListCommand(ctx)).addCommand(waitlistRemoveCommand(ctx));
}
