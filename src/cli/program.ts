import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import { addGlobalOptions, readGlobals } from './globals.js';
import { checkDeclaredFields } from './json-fields.js';
import { registerClinicTransfer } from './commands/clinic/index.js';
import { registerCompletion } from './commands/completion/index.js';
import { registerSession } from './commands/session/index.js';
import { configureHelpOf, examples, helpInvocation } from './help.js';
import { VERSION } from './version.js';

export { CommanderError } from '@commander-js/extra-typings';

type RegisterVerbs = (noun: Command, ctx: CliContext) => void;

/**
 * The nouns as the top-level help lists them. A noun's verbs are loaded (and built) only when the
 * noun is invoked: `clinic --help` builds ten lines, `clinic appointments --help` one noun.
 */
const NOUNS: ReadonlyArray<{ name: string; description: string; examples: string[]; verbs: () => Promise<RegisterVerbs> }> = [
  {
    name: 'users',
    description: 'Manage staff and admin accounts',
    examples: ['clinic users create --username rita.m --name "Rita Mendes" --role staff', 'clinic users list --role staff', 'clinic users disable rita.m'],
    verbs: async () => (await import('./commands/users/index.js')).registerUsers,
  },
  {
    name: 'tokens',
    description: 'API tokens for scripts (CLINIC_TOKEN)',
    examples: ['clinic tokens create --name nightly-import --expires-in 30d', 'clinic tokens list', 'clinic tokens revoke 3f9a2c1e'],
    verbs: async () => (await import('./commands/tokens/index.js')).registerTokens,
  },
  {
    name: 'doctors',
    description: 'Doctors, their working hours and time off',
    examples: [
      'clinic doctors add --username dr.silva --name "Ana Silva" --specialty cardiology',
      'clinic doctors hours set dr.silva mon-fri 09:00-12:00,13:00-17:00',
      'clinic doctors timeoff add dr.silva --from 2026-12-24 --to 2026-12-26 --reason holidays',
    ],
    verbs: async () => (await import('./commands/doctors/index.js')).registerDoctors,
  },
  {
    name: 'patients',
    description: 'Patients and the panels of their doctors',
    examples: [
      'clinic patients add --username joao.p --name "João Pereira" --dob 1980-04-02 --doctor dr.silva',
      'clinic patients list --search pereira',
      'clinic patients assign joao.p dr.tanaka',
    ],
    verbs: async () => (await import('./commands/patients/index.js')).registerPatients,
  },
  {
    name: 'appointments',
    description: 'Book, list and manage appointments',
    examples: [
      'clinic appointments slots --doctor dr.silva --date 2026-12-01',
      'clinic appointments book --patient joao.p --doctor dr.silva --next-available',
      'clinic appointments list --doctor dr.silva --from 2026-12-01 --to 2026-12-07',
      'clinic appointments cancel 5c1f0e2a --reason "patient called"',
    ],
    verbs: async () => (await import('./commands/appointments/index.js')).registerAppointments,
  },
  {
    name: 'waitlist',
    description: 'Patients waiting for a freed slot with a doctor',
    examples: [
      'clinic waitlist add --patient joao.p --doctor dr.silva --times 09:00-12:00 --days mon-fri',
      'clinic waitlist list --doctor dr.silva',
      'clinic waitlist remove 7d3e91c0',
    ],
    verbs: async () => (await import('./commands/waitlist/index.js')).registerWaitlist,
  },
  {
    name: 'messages',
    description: 'Messages between users',
    examples: [
      'clinic messages send --to dr.silva --body "Room 3 is free this afternoon."',
      'clinic messages inbox --unread',
      'clinic messages thread dr.silva',
    ],
    verbs: async () => (await import('./commands/messages/index.js')).registerMessages,
  },
  {
    name: 'audit',
    description: 'Read and verify the audit log (admin)',
    examples: ['clinic audit list --patient joao.p --since 2026-11-01', 'clinic audit verify'],
    verbs: async () => (await import('./commands/audit/index.js')).registerAudit,
  },
  {
    name: 'settings',
    description: 'Show and change clinic settings (time zone, session limits)',
    examples: ['clinic settings show', 'clinic settings set timezone Europe/Lisbon', 'clinic settings set session-idle-minutes 30'],
    verbs: async () => (await import('./commands/settings/index.js')).registerSettings,
  },
  {
    name: 'db',
    description: 'Database schema: migrate, rollback, status, reset, seed, copy; the embedded server',
    examples: ['clinic db status', 'clinic db migrate --database-url postgres://clinic@db.example/clinic', 'clinic db server status'],
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
      .helpCommand(false)
      .showSuggestionAfterError(true)
      .addHelpText(
        'after',
        examples(
          'clinic init --demo',
          'clinic appointments book --patient joao.p --doctor dr.silva --next-available',
          'clinic appointments list --doctor dr.silva --json',
          'clinic help appointments book',
        ),
      ),
  );
  program.hook('preAction', async (_program, actionCommand) => {
    ran.set(program, actionCommand);
    // `clinic help …` prints static text: nothing to prepare.
    if (actionCommand.name() !== 'help' || actionCommand.parent !== program) {
      await ctx.prepare(readGlobals(actionCommand.optsWithGlobals()));
      await checkDeclaredFields(actionCommand, ctx.globals.fields);
    }
  });

  registerSession(program, ctx);
  const named = argv?.slice(2);
  const nouns = NOUNS.map((noun) => ({
    noun,
    command: program
      .command(noun.name)
      .description(noun.description)
      .addHelpText('after', examples(...noun.examples)),
  }));
  // A completion script describes every command.
  const invoked = nouns.filter(({ noun }) => named === undefined || named.includes(noun.name) || named.includes('completion'));
  const registers = await Promise.all(invoked.map(({ noun }) => noun.verbs()));
  invoked.forEach(({ command }, i) => registers[i]!(command as unknown as Command, ctx));
  // `clinic export` and `clinic import` are verbs of the clinic itself, small enough to build always.
  registerClinicTransfer(program, ctx);
  registerCompletion(program, ctx);
  addHelpCommand(program);

  configureRecursively(program, ctx);
  return program as unknown as Command;
}

/** The command a run ended in (the one that failed, or whose action ran): its help is the one to read. */
const ran = new WeakMap<CommandUnknownOpts, CommandUnknownOpts>();

/** `clinic appointments book --help`, or `clinic --help` when the run never reached a command. */
export function helpFor(program: CommandUnknownOpts): string {
  return helpInvocation(ran.get(program) ?? program);
}

/**
 * `clinic help appointments book`: the help of a command at any depth (Commander's own help command
 * looks one level down only). Each noun keeps Commander's `help VERB`.
 */
function addHelpCommand(program: CommandUnknownOpts): void {
  program
    .command('help')
    .description('show help for a command: clinic help appointments book')
    .argument('[command...]', 'a command, e.g. appointments book')
    .addHelpText('after', examples('clinic help', 'clinic help appointments book', 'clinic help doctors hours set'))
    .action((names: string[]) => {
      let target = program;
      for (const name of names) {
        const sub = target.commands.find((command) => command.name() === name);
        if (!sub) {
          ran.set(program, target);
          const where = target === program ? '' : ` of '${helpInvocation(target).replace(/ --help$/, '')}'`;
          target.error(`unknown command '${name}'${where}`, { code: 'commander.unknownCommand', exitCode: 2 });
        }
        target = sub!;
      }
      target.outputHelp();
    });
}

/** Every command: errors thrown (not exit), output to the injected streams, the same help layout. */
function configureRecursively(command: CommandUnknownOpts, ctx: CliContext, program: CommandUnknownOpts = command): void {
  configureHelpOf(command);
  command
    .exitOverride((error) => {
      ran.set(program, command);
      throw error;
    })
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      outputError: () => {
        /* run.ts prints errors, once, in the format the user asked for */
      },
    });
  if (command.commands.length === 0) reportUnknownOptionsFirst(command);
  for (const sub of command.commands) configureRecursively(sub, ctx, program);
}

/**
 * Commander checks required options before unknown ones, so `book --patien x` said "required
 * option '--patient' not specified" and never offered its suggestion. An unknown option (help
 * aside) is an error whatever else the line holds: report it first, with Commander's "Did you mean".
 */
function reportUnknownOptionsFirst(command: CommandUnknownOpts): void {
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (args) => {
    const parsed = parseOptions(args);
    const [unknown] = parsed.unknown;
    if (unknown !== undefined && !parsed.unknown.some((arg) => arg === '--help' || arg === '-h')) {
      (command as unknown as { unknownOption(flag: string): never }).unknownOption(unknown);
    }
    return parsed;
  };
}
