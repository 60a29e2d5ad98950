import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { importOptions, openImportSource, openRejectsSink, renderImportSummary, withProgress, type ImportFlags } from '../../bulk/import-io.js';

export function appointmentsImportCommand(ctx: CliContext) {
  const command = new Command('import')
    .description('import appointments from CSV or NDJSON, checked like `book` (staff, admin)')
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
    const { importAppointments } = await import('../../../domain/bulk/appointments-import.js');
    const { APPOINTMENT_FIELDS } = await import('../../../domain/bulk/appointment-rows.js');
    const source = await openImportSource(ctx, file, flags);
    const domain = await ctx.domain();
    const rejects = flags.skipInvalid ? await openRejectsSink(ctx, APPOINTMENT_FIELDS, flags.rejects) : undefined;
    const progress = await withProgress(ctx, source, 'appointments');
    try {
      const summary = await importAppointments(domain, {
        source: progress.stream,
        format: source.format,
        skipInvalid: flags.skipInvalid === true,
        dryRun: flags.dryRun === true,
        sourceName: source.name,
        ...(rejects ? { onRejected: rejects.write } : {}),
        ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      });
      progress.stop();
      await rejects?.close();
      renderImportSummary(ctx, summary, 'appointments');
    } finally {
      progress.stop();
      if (!source.stream.readableEnded) source.stream.destroy();
    }
  });
}
