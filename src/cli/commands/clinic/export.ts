import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { writeChunk } from '../../io.js';
import { examples } from '../../help.js';
import { UsageError } from '../../usage-error.js';

export function clinicExportCommand(ctx: CliContext) {
  return new Command('export')
    .description('write the whole clinic (settings, people, hours, appointments, messages, audit log) for `clinic import`')
    .addHelpText(
      'after',
      examples('clinic export > clinic.ndjson', 'clinic export --format json --output backup.json', 'clinic export --output backup/ --include-credentials'),
    )
    .addOption(
      new Option('--format <format>', 'ndjson (one row per line) or json (one object)').choices(['ndjson', 'json'] as const).default('ndjson' as const),
    )
    .option('--output <path>', 'a file (mode 0600), or a directory (ending in / or existing) for one file per table; default (or -) stdout')
    .option('--include-credentials', "also the users' bcrypt password hashes (nothing else secret is ever exported)")
    .addHelpText('after', '\nNeeds no login: whoever holds the database holds every row. Sessions and API tokens are never exported.')
    .addHelpText('after', 'With --json and no --output: the export itself is the one JSON value (--format json); with --output, the summary.')
    .action(async (options, command) => {
      const output = options.output === '-' ? undefined : options.output;
      // --json promises one JSON value on stdout: the export is that value, so it takes the JSON form.
      let format = options.format;
      if (ctx.globals.json && output === undefined) {
        if (command.getOptionValueSource('format') !== 'default' && format !== 'json') {
          throw new UsageError(`--json writes one JSON value and --format ${format} does not: give one of them.`, 'Use --json alone, or --format json.');
        }
        format = 'json';
      }
      const [{ exportClinic }, { writeExport }] = await Promise.all([import('../../../domain/clinic/export.js'), import('./files.js')]);
      const clinic = await exportClinic(await ctx.anonymousDomain(), { includeCredentials: options.includeCredentials ?? false });
      const write = (text: string) => writeChunk(ctx.io.stdout, text, ctx.signal);
      const summary = await writeExport(clinic, format, output, write);
      if (output !== undefined) {
        ctx.output.data(summary, () => '');
        ctx.output.success(`Exported ${Object.values(summary.tables).reduce((a, b) => a + b, 0)} rows to ${summary.output}.`);
      }
    });
}
