import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { Option } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import { terminalSafe } from './output.js';
import { UsageError } from './usage-error.js';
import { CSV_WRITE_OPTIONS } from '../domain/csv-cells.js';
import { ValidationError } from '../domain/errors.js';
import type { BulkFormat, ImportPhase, ImportSummary, RejectedRow } from '../domain/import-file.js';

/** The flags every `import` verb shares (DESIGN §7). */
export interface ImportFlags {
  format?: 'csv' | 'ndjson';
  skipInvalid?: true;
  rejects?: string;
  dryRun?: true;
}

export const formatOption = () =>
  new Option('--format <format>', 'csv or ndjson (default: from the extension, else the first character: "{" means NDJSON)').choices([
    'csv',
    'ndjson',
  ] as const);

export function importOptions() {
  return [
    formatOption(),
    new Option('--skip-invalid', 'import the good rows; set the bad ones aside (default: any bad row refuses the whole file)'),
    new Option(
      '--rejects <file>',
      'with --skip-invalid: write the bad rows to this CSV file, an import file again with their _line and _error (default: stderr)',
    ),
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
  const { formatFromPath } = await import('../domain/import-file.js');
  if (flags.rejects && !flags.skipInvalid) throw new UsageError('--rejects needs --skip-invalid.');
  if (flags.rejects === '-') {
    throw new UsageError(
      '--rejects - would mix the bad rows into stdout, which holds the summary.',
      'Leave --rejects out to list the bad rows on stderr, or name a file (/dev/stderr works too).',
    );
  }
  if (flags.rejects) await checkRejectsPath(ctx, file, flags.rejects);
  if (file === '-') return { stream: ctx.io.stdin, format: flags.format, name: '-', size: undefined };
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    throw new ValidationError(`Cannot read ${file}: ${describeFsError(error)}.`);
  }
  // A pipe (`<(…)`, /dev/fd/N, a named FIFO) or a device streams like stdin; a directory cannot be read.
  if (!stat.isFile() && !stat.isFIFO() && !stat.isCharacterDevice()) {
    throw new ValidationError(`Cannot read ${file}: ${stat.isDirectory() ? 'it is a directory' : 'not a file'}.`, {
      remedy: 'Name a CSV or NDJSON file, or - for stdin.',
    });
  }
  return {
    stream: fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
    format: flags.format ?? formatFromPath(file),
    name: file,
    size: stat.isFile() ? stat.size : undefined,
  };
}

function fstatOf(fd: number): fs.Stats | undefined {
  try {
    return fs.fstatSync(fd);
  } catch {
    return undefined;
  }
}

function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/**
 * A rejects file must not be the input (writing it would destroy the rows being read), whatever
 * path or link names it, and must be writable as a file; checked before anything is opened.
 */
async function checkRejectsPath(ctx: CliContext, input: string, rejects: string): Promise<void> {
  const existing = await fs.promises.stat(rejects).catch(() => undefined);
  if (existing?.isDirectory())
    throw new ValidationError(`Cannot write the rejects to ${rejects}: it is a directory.`, { remedy: 'Name a file for --rejects.' });
  const directory = path.dirname(path.resolve(rejects));
  const parent = await fs.promises.stat(directory).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new ValidationError(`Cannot write the rejects to ${rejects}: the directory ${directory} does not exist.`, {
      remedy: 'Create it first, or name a file in an existing directory.',
    });
  }
  if (!existing) return;
  const stdinFd = (ctx.io.stdin as { fd?: unknown }).fd;
  const source = input !== '-' ? await fs.promises.stat(input).catch(() => undefined) : typeof stdinFd === 'number' ? fstatOf(stdinFd) : undefined;
  if (source && source.dev === existing.dev && source.ino === existing.ino) {
    throw new UsageError(`--rejects ${rejects} is the input file itself: writing the rejects would destroy it.`, 'Name another file for --rejects.');
  }
}

/**
 * Counts the bytes going through and draws a progress bar on stderr, only when stderr is a
 * terminal: the rows read while reading, then the phase that follows (checking, writing) on a line
 * of its own, so the bar never sits at 100% while the work goes on.
 */
export async function withProgress(ctx: CliContext, source: ImportSource, noun: string) {
  const interactive = ctx.io.stderr.isTTY === true && !ctx.globals.quiet;
  if (!interactive) return { stream: source.stream, onProgress: undefined, onPhase: undefined, stop: () => {} };
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
  let rowsRead = 0;
  let phaseShown = false;
  const stderr = ctx.io.stderr;
  return {
    stream: counter as Readable,
    onProgress: (rows: number) => {
      rowsRead = rows;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(known ? bytes : 0, { rows, rate: Math.round(rows / seconds) });
    },
    onPhase: (phase: ImportPhase) => {
      bar.stop();
      const what = phase === 'checking' ? `Checking ${rowsRead} ${noun}` : `Writing ${noun}`;
      stderr.write(`\r\x1b[2K${what} (read ${rowsRead} rows in ${((Date.now() - started) / 1000).toFixed(1)} s)…`);
      phaseShown = true;
    },
    stop: () => {
      bar.stop();
      if (phaseShown) stderr.write('\r\x1b[2K');
      phaseShown = false;
    },
  };
}

/** How many refused rows a person is shown; the rest go to the full report (scripts with --json get every one). */
export const LISTED_REJECTS = 20;

/**
 * The full report of an import's refused rows, one `line N: reason` each, in a private file (0600
 * in a 0700 directory under ${XDG_STATE_HOME:-~/.local/state}/clinic: the reasons quote patient
 * data). Returns its path, which the short list on the terminal names.
 */
export async function writeRejectsReport(env: NodeJS.ProcessEnv, rows: ReadonlyArray<{ line: number; error: string }>): Promise<string> {
  const file = await newReportFile(env);
  await fs.promises.writeFile(file, rows.map((row) => `line ${row.line}: ${terminalSafe(row.error)}\n`).join(''), { mode: 0o600, flag: 'wx' });
  return file;
}

async function newReportFile(env: NodeJS.ProcessEnv): Promise<string> {
  const base = env.XDG_STATE_HOME ? env.XDG_STATE_HOME : path.join(env.HOME || os.homedir(), '.local', 'state');
  const dir = path.join(base, 'clinic', 'import-reports');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.promises.chmod(dir, 0o700);
  return path.join(dir, `rejected-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.txt`);
}

/** "… and 5 more rows; full report: FILE" under the first LISTED_REJECTS of them. */
export function moreRejectsLine(more: number, file: string): string {
  return `… and ${more} more row${more === 1 ? '' : 's'}; full report: ${file}`;
}

/** Where the rows set aside go; `commit` puts them in place once the import has succeeded. */
interface RejectsSink<Field extends string> {
  write(row: RejectedRow<Field>): void | Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * A CSV file (the fields as read, then `_line` and `_error`, which an import ignores, so it can be fixed and imported as is), or stderr (one line per row; one JSON
 * object per line with --json). The file is written under a temporary name in its directory
 * (0600: rows hold patient data) and renamed at the end, so a failed or interrupted import leaves
 * an earlier rejects file as it was.
 */
export async function openRejectsSink<Field extends string>(ctx: CliContext, fields: readonly Field[], file: string | undefined): Promise<RejectsSink<Field>> {
  if (!file && ctx.globals.json) {
    return {
      write: (row) => {
        ctx.io.stderr.write(`${JSON.stringify({ line: row.line, error: row.error })}\n`);
      },
      commit: async () => {},
      discard: async () => {},
    };
  }
  if (!file) {
    // A person sees the first rows; every row, those included, goes to the full report.
    const all: Array<{ line: number; error: string }> = [];
    return {
      write: (row) => {
        all.push({ line: row.line, error: row.error });
        if (all.length <= LISTED_REJECTS) ctx.io.stderr.write(`line ${row.line}: ${terminalSafe(row.error)}\n`);
      },
      commit: async () => {
        if (all.length > LISTED_REJECTS) ctx.io.stderr.write(`${moreRejectsLine(all.length - LISTED_REJECTS, await writeRejectsReport(ctx.env, all))}\n`);
      },
      discard: async () => {},
    };
  }
  const [{ stringify }, { openOutputFile }] = await Promise.all([import('csv-stringify/sync'), import('./output-file.js')]);
  let target: Awaited<ReturnType<typeof openOutputFile>>;
  try {
    target = await openOutputFile(file);
  } catch (error) {
    throw new ValidationError(`Cannot write the rejects to ${file}: ${describeFsError((error as Error).cause ?? error)}.`);
  }
  // A valid import file again: the original columns, and the reasons in columns the importer ignores.
  const columns = [...fields, '_line', '_error'];
  const failed = async (error: unknown) => {
    await target.discard();
    return new ValidationError(`Cannot write the rejects to ${file}: ${describeFsError((error as Error).cause ?? error)}.`);
  };
  let header = true;
  return {
    write: async (row) => {
      const text = stringify([{ ...row.fields, _line: row.line, _error: row.error }], { ...CSV_WRITE_OPTIONS, header, columns });
      header = false;
      await target.write(text).catch(async (error: unknown) => Promise.reject(await failed(error)));
    },
    commit: async () => {
      try {
        if (header) await target.write(stringify([], { header: true, columns }));
        await target.commit();
      } catch (error) {
        throw await failed(error);
      }
    },
    discard: () => target.discard(),
  };
}

/** The summary on stdout: exactly `{"imported":N,"skipped":N,"rejected":N}` with --json. */
export function renderImportSummary(ctx: CliContext, summary: ImportSummary, noun: string): void {
  const { imported, skipped, rejected } = summary;
  ctx.output.data({ imported, skipped, rejected }, () => {
    if (imported === 0 && rejected === 0 && skipped > 0) {
      return `Nothing to import: all ${skipped} ${noun} in this file were imported before (same externalId or username); nothing changed.`;
    }
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
  onPhase?: (phase: ImportPhase) => void;
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
  let committed = false;
  try {
    const summary = await importer({
      source: progress.stream,
      format: source.format,
      skipInvalid: flags.skipInvalid === true,
      dryRun: flags.dryRun === true,
      sourceName: source.name,
      ...(rejects ? { onRejected: rejects.write } : {}),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      ...(progress.onPhase ? { onPhase: progress.onPhase } : {}),
    });
    progress.stop();
    await rejects?.commit();
    committed = true;
    renderImportSummary(ctx, summary, noun);
  } finally {
    if (!committed) await rejects?.discard();
    progress.stop();
    if (!source.stream.readableEnded) source.stream.destroy();
  }
}
