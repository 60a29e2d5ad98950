import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { importOptions, runImport, type ImportFlags } from '../../import-io.js';
import { examples } from '../../help.js';

export function doctorsImportCommand(ctx: CliContext) {
  const command = new Command('import')
    .description('add doctors from CSV or NDJSON, checked like `doctors add`; existing usernames are skipped (staff, admin)')
    .addHelpText(
      'after',
      examples(
        'clinic doctors import doctors.csv',
        'clinic doctors import doctors.csv --dry-run',
        'clinic doctors import doctors.ndjson --skip-invalid --rejects rejected.csv',
      ),
    )
    .argument('<file>', 'a .csv, .ndjson or .jsonl file, or - for stdin')
    .addHelpText('after', '\nFields: username, name (required), specialty, license, slotMinutes, email. New doctors work mon-fri 09:00-17:00.');
  for (const option of importOptions()) command.addOption(option);
  return command.action(async (file, flags: ImportFlags) => {
    const { importDoctors, DOCTOR_FIELDS } = await import('../../../domain/doctors/import.js');
    const domain = await ctx.domain();
    await runImport(ctx, file, flags, 'doctors', DOCTOR_FIELDS, (input) => importDoctors(domain, input));
  });
}
