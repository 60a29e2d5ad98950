import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { DomainContext } from './context.js';
import { unescapeFormulaCell } from './csv-cells.js';
import { ValidationError } from './errors.js';
import { throwIfInterrupted } from './interruption.js';

/**
 * An import file (DESIGN §7): its records read one at a time from CSV or NDJSON, what the import
 * did, and the one transaction that commits only when the import says so.
 */

export type BulkFormat = 'csv' | 'ndjson';

/** One row of an import file: its (first) line number, its fields as text, or why it cannot be read. */
export interface SourceRecord {
  line: number;
  fields: Record<string, string | undefined>;
  problem?: string;
}

export interface RecordShape {
  /** every field a row may have, in file order */
  fields: readonly string[];
  required: readonly string[];
  /** fields an NDJSON line may also give as a JSON number; every other field is a string (or null: absent) */
  numeric?: readonly string[];
  /** other spellings a file may use for a field (the list's JSON name for the import's): `fullName` for `name` */
  aliases?: Readonly<Record<string, string>>;
  /**
   * fields of the list's JSON that the import does not write (`id`, `createdAt`, …): taken and
   * dropped, so that a list can be fed back; one with a value here must hold it when given
   * (`role: patient`: a list of staff is no patients file)
   */
  readOnly?: Readonly<Record<string, string | null>>;
}

function canonical(name: string, shape: RecordShape): string {
  return shape.aliases?.[name] ?? name;
}

const isReadOnly = (name: string, shape: RecordShape) => shape.readOnly !== undefined && Object.hasOwn(shape.readOnly, name);

/** Why a read-only field's value cannot be taken, if it cannot. */
function readOnlyProblem(name: string, value: unknown, shape: RecordShape): string | undefined {
  const expected = shape.readOnly?.[name] ?? null;
  if (expected === null || value === null || value === '' || value === expected) return undefined;
  return `field "${name}" must be "${expected}" in this import, not ${typeof value === 'string' ? `"${value}"` : jsonType(value)}`;
}

/** A runaway field (an unclosed quote in a big file) stops at this size instead of eating memory. */
const MAX_RECORD_BYTES = 1 << 20;

/** The format named by a file's extension, if any. */
export function formatFromPath(path: string): BulkFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  return undefined;
}

/**
 * Reads the rows of a CSV (header row) or NDJSON stream one at a time (memory does not grow with
 * the file). Without a format, the first non-blank character decides: `{` is NDJSON, else CSV.
 * Rows that cannot be read are yielded with a `problem`, so that every bad line can be listed;
 * a header that names unknown or lacks required fields fails the whole file.
 */
export async function* readRecords(source: Readable, shape: RecordShape, format?: BulkFormat): AsyncGenerator<SourceRecord> {
  const chunks = sniffing(source);
  const first = await chunks.next();
  // an empty input is CSV without its header (refused) unless NDJSON is named: an NDJSON file of no rows
  const chosen = format ?? (first.done ? 'csv' : sniffFormat(first.value.sniffed));
  const replay = (async function* () {
    if (first.done) return;
    yield first.value.chunk;
    for await (const next of chunks) yield next.chunk;
  })();
  if (chosen === 'csv') yield* readCsv(replay, shape);
  else yield* readNdjson(replay, shape);
}

function sniffFormat(text: string): BulkFormat {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'ndjson'
    : 'csv';
}

/** Chunks as Buffers; the first one also carries enough leading text to see the first non-blank character. */
async function* sniffing(source: Readable): AsyncGenerator<{ chunk: Buffer; sniffed: string }> {
  let pending: Buffer[] = [];
  let sniffed: string | undefined;
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    if (sniffed !== undefined) {
      yield { chunk, sniffed };
      continue;
    }
    pending.push(chunk);
    const text = Buffer.concat(pending)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    if (text.trim() === '' && pending.reduce((n, b) => n + b.length, 0) < 4096) continue;
    sniffed = text;
    yield { chunk: Buffer.concat(pending), sniffed };
    pending = [];
  }
  if (sniffed === undefined && pending.length > 0) yield { chunk: Buffer.concat(pending), sniffed: '' };
}

const hasInvalidUtf8 = (value: string) => value.includes('\uFFFD');

async function* readCsv(chunks: AsyncIterable<Buffer>, shape: RecordShape): AsyncGenerator<SourceRecord> {
  const { parse } = await import('csv-parse');
  const { Readable } = await import('node:stream');
  const skipped: SourceRecord[] = [];
  let oversized: number | undefined;
  // a row that could not be read at all (a fatal CSV error, a skipped record): the file is not empty
  let misread = false;
  const input = Readable.from(chunks);
  // An early stop (a fatal CSV error) must not leave an unhandled 'premature close' behind.
  input.on('error', () => {});
  const lines = physicalLines();
  const starts: number[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      // in parse order, ahead of the reader: each row's first line, queued for it
      on_record: (record, context) => {
        starts.push(lines.recordStart(record, context.lines));
        return record;
      },
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (!error) return;
        const line = lines.at(Number((error as { lines?: number }).lines ?? 0));
        if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') {
          // csv-parse reports an oversized row once per chunk and reads nothing past it: one fatal problem
          oversized ??= line;
          return;
        }
        misread = true;
        skipped.push({ line, fields: {}, problem: `malformed CSV: ${csvProblem(error)}` });
      },
    }),
  );
  // null: a column the importer ignores (its name starts with "_", as a rejects file's _line and _error)
  let header: Array<string | null> | undefined;
  let headerText = '';
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = starts.shift()!;
      while (skipped.length > 0) yield skipped.shift()!;
      // A line of only white space (a stray CR in an LF file, spaces, a tab) is blank, as an empty one is.
      if (record.length === 1 && record[0]!.trim() === '') continue;
      if (!header) {
        header = record.map((name) => (isIgnoredField(name.trim()) ? null : canonical(name.trim(), shape)));
        headerText = record.map((name) => name.trim()).join(',');
        checkHeader(
          header.filter((name): name is string => name !== null),
          shape,
        );
        continue;
      }
      const fields: Record<string, string | undefined> = {};
      let readOnly: string | undefined;
      header.forEach((name, index) => {
        if (name === null || record[index] === undefined) return;
        const value = unescapeFormulaCell(record[index]);
        if (isReadOnly(name, shape)) readOnly ??= readOnlyProblem(name, value.trim(), shape);
        else fields[name] = value;
      });
      if (record.length !== header.length) {
        yield { line, fields, problem: `expected ${header.length} fields (${headerText}), found ${record.length}` };
      } else if (record.some(hasInvalidUtf8)) {
        yield { line, fields, problem: 'invalid UTF-8' };
      } else if (readOnly !== undefined) {
        yield { line, fields, problem: readOnly };
      } else {
        yield { line, fields };
      }
    }
  } catch (error) {
    const at = (error as { lines?: number }).lines;
    if (at === undefined) throw error;
    misread = true;
    yield { line: lines.at(at), fields: {}, problem: `malformed CSV: ${csvProblem(error as Error)}` };
  }
  while (skipped.length > 0) yield skipped.shift()!;
  if (oversized !== undefined) {
    // Even with --skip-invalid: the rows after it would be lost without a word.
    throw new ValidationError(`Line ${oversized} is longer than ${MAX_RECORD_BYTES} bytes: the file cannot be read past it, so nothing was imported.`, {
      remedy: 'Shorten or remove that row and import the file again.',
    });
  }
  if (!header && !misread) {
    throw new ValidationError('The file is empty (no header row): a CSV import file starts with a line naming its columns.', {
      remedy: `The columns are: ${shape.fields.join(', ')} (required: ${shape.required.join(', ')}). An NDJSON file of no rows needs --format ndjson.`,
    });
  }
}

function csvProblem(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a field must be doubled ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return `a row is longer than ${MAX_RECORD_BYTES} bytes`;
    default:
      return error.message.replace(/^Invalid .*?: /, '');
  }
}

/**
 * Physical line numbers (CRLF, a bare CR and a bare LF each end a line) from csv-parse's count,
 * which takes every CR and every LF inside a quoted field for a line (a CRLF there counts twice):
 * its count less the surplus of the rows read so far. Fed every row in parse order (on_record).
 */
function physicalLines() {
  let surplus = 0;
  const count = (values: readonly string[], pattern: RegExp) => values.reduce((n, value) => n + (value.match(pattern)?.length ?? 0), 0);
  return {
    /** the line a row starts on, from csv-parse's count where it ends */
    recordStart(values: readonly string[], parsedLines: number): number {
      const parsedBreaks = count(values, /[\r\n]/g);
      const start = parsedLines - parsedBreaks - surplus;
      // A CR that ends the row's last value is the CR of a CRLF line end in an LF file: one break with the LF after it.
      const lineEndCr = values.at(-1)?.endsWith('\r') ? 1 : 0;
      surplus += parsedBreaks - (count(values, /\r\n|\r|\n/g) - lineEndCr);
      return start;
    },
    /** a line csv-parse names (in an error) */
    at(parsedLines: number): number {
      return parsedLines - surplus;
    },
  };
}

/** Columns and NDJSON fields whose names start with "_" are notes for people (a rejects file's _line, _error): never read. */
export function isIgnoredField(name: string): boolean {
  return name.startsWith('_');
}

function checkHeader(header: readonly string[], shape: RecordShape): void {
  const unknown = header.filter((name) => !shape.fields.includes(name) && !isReadOnly(name, shape));
  const missing = shape.required.filter((name) => !header.includes(name));
  const repeated = header.filter((name, index) => header.indexOf(name) !== index);
  const problems = [
    unknown.length > 0 ? `unknown column(s) ${unknown.map((n) => `"${n}"`).join(', ')}` : '',
    missing.length > 0 ? `missing column(s) ${missing.join(', ')}` : '',
    repeated.length > 0 ? `repeated column(s) ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new ValidationError(`Line 1: the header row has ${problems.join('; ')}.`, {
      remedy: `The columns are: ${shape.fields.join(', ')} (required: ${shape.required.join(', ')}).`,
    });
  }
}

async function* readNdjson(chunks: AsyncIterable<Buffer>, shape: RecordShape): AsyncGenerator<SourceRecord> {
  let line = 0;
  for await (const text of splitLines(chunks)) {
    line++;
    if (line === 1) text.value = text.value.replace(/^\uFEFF/, '');
    if (text.tooLong) {
      yield { line, fields: {}, problem: `the line is longer than ${MAX_RECORD_BYTES} bytes` };
      continue;
    }
    if (text.value.trim() === '') continue;
    if (hasInvalidUtf8(text.value)) {
      yield { line, fields: {}, problem: 'invalid UTF-8' };
      continue;
    }
    yield ndjsonRecord(line, text.value, shape);
  }
}

function ndjsonRecord(line: number, text: string, shape: RecordShape): SourceRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { line, fields: {}, problem: `malformed JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { line, fields: {}, problem: 'each line must be one JSON object' };
  }
  const fields: Record<string, string | undefined> = {};
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const [given, value] of Object.entries(parsed)) {
    if (isIgnoredField(given)) continue;
    const name = canonical(given, shape);
    if (seen.has(name)) return { line, fields, problem: `field "${name}" is given twice (under two spellings)` };
    seen.add(name);
    if (isReadOnly(name, shape)) {
      const problem = readOnlyProblem(name, value, shape);
      if (problem !== undefined) return { line, fields, problem };
      continue;
    }
    if (!shape.fields.includes(name)) {
      unknown.push(name);
      continue;
    }
    if (value === null) continue;
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number' && Number.isFinite(value) && shape.numeric?.includes(name)) fields[name] = String(value);
    else
      return {
        line,
        fields,
        problem: `field "${name}" must be ${shape.numeric?.includes(name) ? 'a number or a string' : 'a string'}, not ${jsonType(value)}`,
      };
  }
  if (unknown.length > 0) return { line, fields, problem: `unknown field(s) ${unknown.map((n) => `"${n}"`).join(', ')}` };
  return { line, fields };
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Lines of UTF-8 text, bounded in length; a line over the bound is reported, not kept. */
async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<{ value: string; tooLong: boolean }> {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  let tooLong = false;
  for await (const chunk of chunks) {
    const text = partial + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      yield { value: part.replace(/\r$/, ''), tooLong };
      tooLong = false;
    }
    if (partial.length > MAX_RECORD_BYTES) {
      partial = '';
      tooLong = true;
    }
  }
  partial += decoder.decode();
  if (partial !== '' || tooLong) yield { value: partial.replace(/\r$/, ''), tooLong };
}

/** What an import is doing after reading its rows: the set-based checks, then the inserts (shown by the progress line). */
export type ImportPhase = 'checking' | 'writing';

/** What an import did (DESIGN §7); with `dryRun`, what it would have done. */
export interface ImportSummary {
  imported: number;
  skipped: number;
  rejected: number;
  dryRun: boolean;
}

/** A bad row: its line, why, and the fields as they were read (for a rejects file). */
export interface RejectedRow<Field extends string = string> {
  line: number;
  error: string;
  fields: Record<Field, string | null>;
}

/**
 * The whole file is refused: every bad row, by line, travels in `details.rows` (rendered one per
 * line, or as a JSON list with --json).
 */
export function invalidFileError(rows: ReadonlyArray<{ line: number; error: string }>, what: string): ValidationError {
  const count = rows.length === 1 ? '1 row is' : `${rows.length} rows are`;
  return new ValidationError(`${count} invalid; no ${what} were imported.`, {
    remedy: 'Fix the rows listed, or add --skip-invalid to import the good rows and set the bad ones aside (--rejects FILE).',
    details: { rows },
  });
}

/**
 * Runs `work` in a transaction that commits only when it says so (a dry run or a refused file
 * rolls back) and the caller was not interrupted meanwhile.
 */
export async function withRollbackUnless<T extends { commit: boolean }>(ctx: DomainContext, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const trx = await ctx.db.transaction();
  try {
    const result = await work(trx);
    if (result.commit) {
      throwIfInterrupted(ctx.signal);
      await trx.commit();
    } else await trx.rollback();
    return result;
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback().catch(() => {});
    throw error;
  }
}
