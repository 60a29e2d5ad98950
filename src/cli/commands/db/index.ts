import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { dbCopyCommand } from './copy.js';
import { dbGrantCommand } from './grant.js';
import { dbMigrateCommand } from './migrate.js';
import { dbResetCommand } from './reset.js';
import { dbRollbackCommand } from './rollback.js';
import { dbSeedCommand } from './seed.js';
import { dbServerCommand } from './server.js';
import { dbStatusCommand } from './status.js';

/** The verbs of `clinic db` (program.ts lists the noun itself). */
export function registerDb(noun: Command, ctx: CliContext): void {
  noun
    .addCommand(dbMigrateCommand(ctx))
    .addCommand(dbRollbackCommand(ctx))
    .addCommand(dbStatusCommand(ctx))
    .addCommand(dbResetCommand(ctx))
    .addCommand(dbSeedCommand(ctx))
    .addCommand(dbGrantCommand(ctx))
    .addCommand(dbServerCommand(ctx))
    .addCommand(dbCopyCommand(ctx));
}
