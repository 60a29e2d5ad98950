import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function clinicImportCommand(ctx: CliContext) {
  return new Command('import')
    .description('load a `clinic export` (file, directory or - for stdin) into an empty clinic, in one transaction')
    .addHelpText(
      'after',
      examples(
        'clinic import clinic.ndjson',
        'clinic import backup/ --data-dir ~/clinic-copy',
        'clinic export | clinic import - --database-url postgres://clinic@db.example/clinic',
      ),
    )
    .argument('<source>', 'the export: an NDJSON or JSON file, a directory, or - for stdin')
    .addHelpText(
      'after',
      '\nThe database must be migrated and hold no clinic yet (exit 7 otherwise). Ids, times, statuses and the audit log\n' +
        "with its hash chain are kept as exported. Run it as the tables' owner (it suspends the audit chain trigger).",
    )
    .action(async (source) => {
      const [{ importClinic }, { readExport }] = await Promise.all([import('../../../domain/clinic/import.js'), import('./files.js')]);
      const domain = await ctx.anonymousDomain();
      const { header, records } = await readExport(source, ctx.io.stdin);
      const summary = await importClinic(domain, header, records);
      const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
      ctx.output.data(summary, () =>
        Object.entries(summary.tables)
          .map(([table, n]) => `${table}: ${n}`)
          .join('\n'),
      );
      ctx.output.success(`Imported ${rows} rows; the audit chain is intact.`);
    });
}
