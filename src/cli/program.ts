import { Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import { addGlobalOptions, readGlobals } from './globals.js';
import { registerAppointments } from './commands/appointments/index.js';
import { registerAudit } from './commands/audit/index.js';
import { registerClinicTransfer } from './commands/clinic/index.js';
import { registerDb } from './commands/db/index.js';
import { registerDoctors } from './commands/doctors/index.js';
import { registerMessages } from './commands/messages/index.js';
import { registerPatients } from './commands/patients/index.js';
import { registerSession } from './commands/session/index.js';
import { registerSettings } from './commands/settings/index.js';
import { registerTokens } from './commands/tokens/index.js';
import { registerUsers } from './commands/users/index.js';
import { VERSION } from './version.js';

export { CommanderError } from '@commander-js/extra-typings';

/** A fresh program per run, so that in-process runs share no state. */
export function buildProgram(ctx: CliContext): Command {
  const program = addGlobalOptions(
    new Command('clinic')
      .description('Administer a medical clinic: users, doctors, patients, appointments and messages.')
      .version(VERSION, '-V, --version', 'print the version')
      .helpCommand('help [command]', 'show help for a command')
      .showSuggestionAfterError(true)
      .configureHelp({ showGlobalOptions: true, sortSubcommands: false }),
  );
  program.hook('preAction', async (_program, actionCommand) => {
    await ctx.prepare(readGlobals(actionCommand.optsWithGlobals()));
  });

  registerSession(program, ctx);
  registerUsers(program, ctx);
  registerTokens(program, ctx);
  registerDoctors(program, ctx);
  registerPatients(program, ctx);
  registerAppointments(program, ctx);
  registerMessages(program, ctx);
  registerAudit(program, ctx);
  registerSettings(program, ctx);
  registerDb(program, ctx);
  registerClinicTransfer(program, ctx);

  configureRecursively(program, ctx);
  return program as unknown as Command;
}

/** Every command: errors thrown (not exit), output to the injected streams. */
function configureRecursively(command: Command<any, any, any>, ctx: CliContext): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => ctx.io.stdout.write(text),
    writeErr: (text) => ctx.io.stderr.write(text),
    outputError: () => {
      /* run.ts prints errors, once, in the format the user asked for */
    },
  });
  for (const sub of command.commands) configureRecursively(sub, ctx);
}
