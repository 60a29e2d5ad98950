import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { writeChunk } from '../../io.js';
import { UsageError } from '../../usage-error.js';
import { examples } from '../../help.js';

export function appointmentsExportCommand(ctx: CliContext) {
  return new Command('export')
    .description(
      'write appointments to stdout as CSV, NDJSON (the import fields) or a FHIR R4 Bundle (staff, admin), or as an iCalendar file (anyone: their own)',
    )
    .addHelpText(
      'after',
      examples(
        'clinic appointments export > appointments.csv',
        'clinic appointments export --format ndjson --doctor dr.silva --from 2026-12-01',
        'clinic appointments export --format fhir --json > bundle.json',
        'clinic appointments export --format ics > my-appointments.ics',
      ),
    )
    .addOption(new Option('--format <format>', 'csv, ndjson, fhir or ics').choices(['csv', 'ndjson', 'fhir', 'ics'] as const).default('csv' as const))
    .option('--doctor <doctor>', 'only this doctor (username or id)')
    .option('--patient <patient>', 'only this patient (username or id)')
    .option('--date <date>', 'only this day (YYYY-MM-DD, clinic time zone)')
    .option('--from <date>', 'from this day on')
    .option('--to <date>', 'up to and including this day')
    .option('--status <status>', 'only this status')
    .addHelpText(
      'after',
      '\nWithout a date, every appointment is exported. CSV and NDJSON re-import with `clinic appointments import`.\n' +
        'With --json: one JSON array of the NDJSON objects (or, with --format fhir, the Bundle).\n' +
        '--format ics writes an RFC 5545 calendar that calendar programs import (doctors and patients get their own).',
    )
    .action(async (options, command) => {
      const { format, ...filters } = options;
      if (ctx.globals.json && format !== 'fhir' && command.getOptionValueSource('format') !== 'default') {
        throw new UsageError(
          `--json writes one JSON value and --format ${format} does not: give one of them.`,
          'Use --json alone for a JSON array, or --format fhir for a FHIR Bundle.',
        );
      }
      const { exportAppointmentsText } = await import('../../../domain/appointments/export.js');
      const chunks = await exportAppointmentsText(await ctx.domain(), ctx.globals.json && format !== 'fhir' ? 'json' : format, filters);
      for await (const chunk of chunks) await writeChunk(ctx.io.stdout, chunk, ctx.signal);
    });
}
