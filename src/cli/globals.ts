import { InvalidArgumentError, Option, type Command } from '@commander-js/extra-typings';
import { seconds } from './options.js';

/** The options every command takes (DESIGN §3). */
export interface GlobalOptions {
  json: boolean;
  /** `--fields a,b`: only these fields of each JSON object (implies --json) */
  fields: readonly string[] | undefined;
  databaseUrl: string | undefined;
  dataDir: string | undefined;
  lockTimeout: number;
  color: boolean;
  input: boolean;
  yes: boolean;
  quiet: boolean;
  debug: boolean;
  /** long human output on a terminal goes through $PAGER (else less -FRX) unless --no-pager */
  pager: boolean;
  /** tables as wide as their content, never cut to the terminal's width */
  wide: boolean;
}

export const DEFAULT_GLOBALS: GlobalOptions = {
  json: false,
  fields: undefined,
  databaseUrl: undefined,
  dataDir: undefined,
  lockTimeout: 30,
  color: true,
  input: true,
  yes: false,
  quiet: false,
  debug: false,
  pager: true,
  wide: false,
};

export function addGlobalOptions<C extends Command<[], {}>>(program: C) {
  return program
    .option('--json', 'print machine-readable JSON on stdout')
    .addOption(new Option('--fields <names>', 'with JSON output, only these comma-separated fields of each object (implies --json)').argParser(fieldList))
    .option('--database-url <url>', 'PostgreSQL URL (else CLINIC_DATABASE_URL, DATABASE_URL, else the embedded database)')
    .option('--data-dir <dir>', 'embedded database directory (else CLINIC_DATA_DIR, else ~/.local/share/clinic)')
    .addOption(new Option('--lock-timeout <seconds>', 'how long to wait for the embedded database').argParser(seconds))
    .option('--no-color', 'no colour in output')
    .option('--no-input', 'never prompt; fail and name the missing flag instead')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('-q, --quiet', 'print only data and errors')
    .option('--debug', 'show stack traces and SQL errors')
    .option('--no-pager', 'never page long output (else $PAGER, or less -FRX)')
    .option('--wide', 'never cut tables to the terminal width');
}

export function readGlobals(options: Record<string, unknown>): GlobalOptions {
  return {
    json: options.json === true || Array.isArray(options.fields),
    fields: Array.isArray(options.fields) ? (options.fields as string[]) : undefined,
    databaseUrl: typeof options.databaseUrl === 'string' ? options.databaseUrl : undefined,
    dataDir: typeof options.dataDir === 'string' ? options.dataDir : undefined,
    lockTimeout: typeof options.lockTimeout === 'number' ? options.lockTimeout : DEFAULT_GLOBALS.lockTimeout,
    color: options.color !== false,
    input: options.input !== false,
    yes: options.yes === true,
    quiet: options.quiet === true,
    debug: options.debug === true,
    pager: options.pager !== false,
    wide: options.wide === true,
  };
}

/** `--fields id,status`: JSON field names (camelCase), at least one, none twice. */
function fieldList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[A-Za-z][A-Za-z0-9]*$/.test(name))) {
    throw new InvalidArgumentError('Give JSON field names separated by commas, e.g. --fields id,status,startTime.');
  }
  return [...new Set(names)];
}
