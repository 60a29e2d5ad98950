import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { importOptions, runImport, type ImportFlags } from '../../import-io.js';
import { examples } from '../../help.js';

export function appointmentsImportCommand(ctx: CliContext) {
  const command = new Command('import')
    .description('import appointments from CSV or NDJSON, checked like `book` (staff, admin)')
    .addHelpText(
      'after',
      examples(
        'clinic appointments import bookings.csv',
        'clinic appointments import bookings.csv --dry-run',
        'clinic appointments import bookings.ndjson --skip-invalid --rejects rejected.csv',
        'clinic appointments import - --format csv < bookings.csv',
      ),
    )
    .argument('<file>', 'a .csv, .ndjson or .jsonl file, or - for stdin')
    .addHelpText(
      'after',
      `
Fields: patient, doctor, date (YYYY-MM-DD), time (HH:MM, clinic time zone), reason,
and optionally durationMinutes (default: the doctor's slot), status (default PENDING), externalId.
A row whose externalId was imported before is skipped, so importing a file twice adds nothing.`,
    );
  for (const option of importOptions()) command.addOption(option);
  return command.action(async (file, flags: ImportFlags) => {
    const { importAppointments } = await import('../../../domain/appointments/import.js');
    const { APPOINTMENT_FIELDS } = await import('../../../domain/appointments/file-rows.js');
    const domain = await ctx.domain();
    await runImport(ctx, file, flags, 'appointments', APPOINTMENT_FIELDS, (input) => importAppointments(domain, input));
  });
}
