import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { writeChunk } from '../../io.js';
import { examples } from '../../help.js';

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
    .option('--output <path>', 'a file (mode 0600), or a directory (ending in / or existing) for one file per table; default stdout')
    .option('--include-credentials', "also the users' bcrypt password hashes (nothing else secret is ever exported)")
    .addHelpText('after', '\nNeeds no login: whoever holds the database holds every row. Sessions and API tokens are never exported.')
    .action(async (options) => {
      const [{ exportClinic }, { writeExport }] = await Promise.all([import('../../../domain/clinic/export.js'), import('./files.js')]);
      const clinic = await exportClinic(await ctx.anonymousDomain(), { includeCredentials: options.includeCredentials ?? false });
      const write = (text: string) => writeChunk(ctx.io.stdout, text, ctx.signal);
      const summary = await writeExport(clinic, options.format, options.output, write);
      if (options.output !== undefined) {
        ctx.output.data(summary, () => '');
        ctx.output.success(`Exported ${Object.values(summary.tables).reduce((a, b) => a + b, 0)} rows to ${summary.output}.`);
      }
    });
}
