import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import { addGlobalOptions, readGlobals } from './globals.js';
import { registerClinicTransfer } from './commands/clinic/index.js';
import { registerSession } from './commands/session/index.js';
import { VERSION } from './version.js';

export { CommanderError } from '@commander-js/extra-typings';

type RegisterVerbs = (noun: Command, ctx: CliContext) => void;

/**
 * The nouns as the top-level help lists them. A noun's verbs are loaded (and built) only when the
 * noun is invoked: `clinic --help` builds ten lines, `clinic appointments --help` one noun.
 */
const NOUNS: ReadonlyArray<{ name: string; description: string; verbs: () => Promise<RegisterVerbs> }> = [
  { name: 'users', description: 'Manage staff and admin accounts', verbs: async () => (await import('./commands/users/index.js')).registerUsers },
  { name: 'tokens', description: 'API tokens for scripts (CLINIC_TOKEN)', verbs: async () => (await import('./commands/tokens/index.js')).registerTokens },
  {
    name: 'doctors',
    description: 'Doctors, their working hours and time off',
    verbs: async () => (await import('./commands/doctors/index.js')).registerDoctors,
  },
  {
    name: 'patients',
    description: 'Patients and the panels of their doctors',
    verbs: async () => (await import('./commands/patients/index.js')).registerPatients,
  },
  {
    name: 'appointments',
    description: 'Book, list and manage appointments',
    verbs: async () => (await import('./commands/appointments/index.js')).registerAppointments,
  },
  {
    name: 'waitlist',
    description: 'Patients waiting for a freed slot with a doctor',
    verbs: async () => (await import('./commands/waitlist/index.js')).registerWaitlist,
  },
  { name: 'messages', description: 'Messages between users', verbs: async () => (await import('./commands/messages/index.js')).registerMessages },
  { name: 'audit', description: 'Read and verify the audit log (admin)', verbs: async () => (await import('./commands/audit/index.js')).registerAudit },
  {
    name: 'settings',
    description: 'Show and change clinic settings (time zone, session limits)',
    verbs: async () => (await import('./commands/settings/index.js')).registerSettings,
  },
  {
    name: 'db',
    description: 'Database schema: migrate, rollback, status, reset, seed, copy; the embedded server',
    verbs: async () => (await import('./commands/db/index.js')).registerDb,
  },
];

/**
 * A fresh program per run, so that in-process runs share no state. Given the run's argv, only the
 * nouns it names get their verbs; without one (tests that walk every command), all of them do.
 */
export async function buildProgram(ctx: CliContext, argv?: readonly string[]): Promise<Command> {
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
  const named = argv?.slice(2);
  const nouns = NOUNS.map((noun) => ({ noun, command: program.command(noun.name).description(noun.description) }));
  const invoked = nouns.filter(({ noun }) => named === undefined || named.includes(noun.name));
  const registers = await Promise.all(invoked.map(({ noun }) => noun.verbs()));
  invoked.forEach(({ command }, i) => registers[i]!(command as unknown as Command, ctx));
  // `clinic export` and `clinic import` are verbs of the clinic itself, small enough to build always.
  registerClinicTransfer(program, ctx);

  configureRecursively(program, ctx);
  return program as unknown as Command;
}

/** Every command: errors thrown (not exit), output to the injected streams. */
function configureRecursively(command: CommandUnknownOpts, ctx: CliContext): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => ctx.io.stdout.write(text),
    writeErr: (text) => ctx.io.stderr.write(text),
    outputError: () => {
      /* run.ts prints errors, once, in the format the user asked for */
    },
  });
  for (const sub of command.commands) configureRecursively(sub, ctx);
}
