import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { Option } from '@commander-js/extra-typings';
import type { CliContext } from '../context.js';
import { terminalSafe } from '../output.js';
import { UsageError } from '../usage-error.js';
import type { BulkFormat } from '../../domain/bulk/records.js';
import type { ImportSummary, RejectedRow } from '../../domain/bulk/results.js';

/** The flags every `import` verb shares (DESIGN §7). */
export interface ImportFlags {
  format?: 'csv' | 'ndjson';
  skipInvalid?: true;
  rejects?: string;
  dryRun?: true;
}

export const formatOption = () =>
  new Option('--format <format>', 'csv or ndjson (default: from the extension, else the first character: "{" means NDJSON)').choices(['csv', 'ndjson'] as const);

export function importOptions() {
  return [
    formatOption(),
    new Option('--skip-invalid', 'import the good rows; set the bad ones aside (default: any bad row refuses the whole file)'),
    new Option('--rejects <file>', 'with --skip-invalid: write the bad rows, with their line and error, to this CSV file (default: stderr)'),
    new Option('--dry-run', 'check everything and report, but write nothing'),
  ] as const;
}

export interface ImportSource {
  stream: Readable;
  format: BulkFormat | undefined;
  name: string;
  /** bytes, when reading a file */
  size: number | undefined;
}

/** FILE or `-` (stdin); the format from --format, else the file's extension, else sniffed. */
export async function openImportSource(ctx: CliContext, file: string, flags: ImportFlags): Promise<ImportSource> {
  const { formatFromPath } = await import('../../domain/bulk/records.js');
  if (flags.rejects && !flags.skipInvalid) throw new UsageError('--rejects needs --skip-invalid.');
  if (file === '-') return { stream: ctx.io.stdin, format: flags.format, name: '-', size: undefined };
  let size: number;
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
  return { stream: fs.createReadStream(file, { highWaterMark: 256 * 1024 }), format: flags.format ?? formatFromPath(file), name: file, size };
}

/** Counts the bytes going through and draws a progress bar on stderr, only when stderr is a terminal. */
export async function withProgress(ctx: CliContext, source: ImportSource, noun: string) {
  const interactive = ctx.io.stderr.isTTY === true && !ctx.globals.quiet;
  if (!interactive) return { stream: source.stream, onProgress: undefined, stop: () => {} };
  const { default: progress } = await import('cli-progress');
  const started = Date.now();
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  source.stream.on('error', (error) => counter.destroy(error));
  source.stream.pipe(counter);
  const known = source.size !== undefined && source.size > 0;
  const bar = new progress.SingleBar(
    {
      stream: ctx.io.stderr as unknown as NodeJS.WriteStream,
      format: known
        ? `Reading ${noun} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`
        : `Reading ${noun}: {rows} rows | {rate} rows/s`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    progress.Presets.shades_classic,
  );
  bar.start(known ? source.size! : 1, 0, { rows: 0, rate: 0 });
  return {
    stream: counter as Readable,
    onProgress: (rows: number) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(known ? bytes : 0, { rows, rate: Math.round(rows / seconds) });
    },
    stop: () => bar.stop(),
  };
}

/**
 * Where the rows set aside go: a CSV file (the fields as read, then `line` and `error`), or stderr
 * (one line per row; one JSON object per line with --json).
 */
export async function openRejectsSink<Field extends string>(ctx: CliContext, fields: readonly Field[], path: string | undefined) {
  if (!path) {
    return {
      write: (row: RejectedRow<Field>) => {
        ctx.io.stderr.write(ctx.globals.json ? `${JSON.stringify({ line: row.line, error: row.error })}\n` : `line ${row.line}: ${terminalSafe(row.error)}\n`);
      },
      close: async () => {},
    };
  }
  const { stringify } = await import('csv-stringify');
  const file = fs.createWriteStream(path);
  const csv = stringify({ header: true, columns: [...fields, 'line', 'error'] });
  csv.pipe(file);
  const written = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
    csv.on('error', reject);
  });
  return {
    write: async (row: RejectedRow<Field>) => {
      if (!csv.write({ ...row.fields, line: row.line, error: row.error })) await new Promise((resolve) => csv.once('drain', resolve));
    },
    close: async () => {
      csv.end();
      await written;
    },
  };
}

/** The summary on stdout: exactly `{"imported":N,"skipped":N,"rejected":N}` with --json. */
export function renderImportSummary(ctx: CliContext, summary: ImportSummary, noun: string): void {
  const { imported, skipped, rejected } = summary;
  ctx.output.data({ imported, skipped, rejected }, () => {
    const verb = summary.dryRun ? `Dry run, nothing written: would import ${imported}` : `Imported ${imported}`;
    return `${verb} ${noun}, skipped ${skipped} already imported, rejected ${rejected}.`;
  });
}

/** What an `import` verb hands over: the domain's importer for its noun. */
export type Importer<Field extends string> = (input: {
  source: Readable;
  format: BulkFormat | undefined;
  skipInvalid: boolean;
  dryRun: boolean;
  sourceName: string;
  onRejected?: (row: RejectedRow<Field>) => void | Promise<void>;
  onProgress?: (rowsRead: number) => void;
}) => Promise<ImportSummary>;

/** The body of every `import` verb: open the input, show progress, route the rejects, print the summary. */
export async function runImport<Field extends string>(
  ctx: CliContext,
  file: string,
  flags: ImportFlags,
  noun: string,
  fields: readonly Field[],
  importer: Importer<Field>,
): Promise<void> {
  const source = await openImportSource(ctx, file, flags);
  const rejects = flags.skipInvalid ? await openRejectsSink(ctx, fields, flags.rejects) : undefined;
  const progress = await withProgress(ctx, source, noun);
  try {
    const summary = await importer({
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
    renderImportSummary(ctx, summary, noun);
  } finally {
    progress.stop();
    if (!source.stream.readableEnded) source.stream.destroy();
  }
}
