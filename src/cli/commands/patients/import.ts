import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { importOptions, runImport, type ImportFlags } from '../../import-io.js';
import { examples } from '../../help.js';

export function patientsImportCommand(ctx: CliContext) {
  const command = new Command('import')
    .description('add patients from CSV or NDJSON, checked like `patients add`; existing usernames are skipped (staff, admin)')
    .addHelpText(
      'after',
      examples(
        'clinic patients import patients.csv',
        'clinic patients import patients.csv --dry-run',
        'clinic patients import - --format ndjson < patients.ndjson',
      ),
    )
    .argument('<file>', 'a .csv, .ndjson or .jsonl file, or - for stdin')
    .addHelpText('after', '\nFields: username, name (required), dob (YYYY-MM-DD), phone, email, doctors (space-separated doctor usernames).');
  for (const option of importOptions()) command.addOption(option);
  return command.action(async (file, flags: ImportFlags) => {
    const { importPatients, PATIENT_FIELDS } = await import('../../../domain/patients/import.js');
    const domain = await ctx.domain();
    await runImport(ctx, file, flags, 'patients', PATIENT_FIELDS, (input) => importPatients(domain, input));
  });
}
