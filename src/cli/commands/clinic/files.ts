import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ClinicExport } from '../../../domain/clinic/export.js';
import { TABLE_NAMES, checkHeader, checkRecord, ndjsonLine, type ExportHeader, type ExportRecord } from '../../../domain/clinic/records.js';
import { ValidationError } from '../../../domain/errors.js';
import { streamJson, type JsonItem } from './json-stream.js';

export interface ExportSummary {
  output: string;
  tables: Record<string, number>;
}

/**
 * Writes an export: to stdout, to one file (openOutputFile: a failed export
 * leaves no half file), or to a directory (0700) of `manifest.json` and one
 * `TABLE.ndjson` / `TABLE.json` per table.
 */
export async function writeExport(
  clinic: ClinicExport,
  format: 'ndjson' | 'json',
  output: string | undefined,
  stdout: (text: string) => Promise<void>,
): Promise<ExportSummary> {
  const tables: Record<string, number> = {};
  const count = (record: ExportRecord) => (tables[record.table] = (tables[record.table] ?? 0) + 1);
  if (output !== undefined && (output.endsWith('/') || (await isDirectory(output)))) {
    await fs.mkdir(output, { recursive: true, mode: 0o700 });
    const files = new Map<string, fs.FileHandle>();
    try {
      for await (const record of clinic.records) {
        count(record);
        let file = files.get(record.table);
        if (!file) {
          file = await fs.open(path.join(output, `${record.table}.${format}`), 'w', 0o600);
          files.set(record.table, file);
          if (format === 'json') await file.write('[');
        }
        await file.write(format === 'json' ? `${tables[record.table] === 1 ? '' : ','}\n${JSON.stringify(record.row)}` : `${JSON.stringify(record.row)}\n`);
      }
      for (const file of files.values()) if (format === 'json') await file.write('\n]\n');
    } finally {
      for (const file of files.values()) await file.close();
    }
    const manifest = {
      ...clinic.header,
      tables: TABLE_NAMES.filter((table) => files.has(table)).map((table) => ({ table, file: `${table}.${format}`, rows: tables[table] })),
    };
    await fs.writeFile(path.join(output, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return { output, tables };
  }

  if (output !== undefined) {
    const { openOutputFile } = await import('../../output-file.js');
    const file = await openOutputFile(output);
    try {
      await writeStream(clinic, format, (text) => file.write(text), count);
      await file.commit();
    } catch (error) {
      await file.discard();
      throw error;
    }
    return { output, tables };
  }
  await writeStream(clinic, format, stdout, count);
  return { output: '-', tables };
}

async function writeStream(
  clinic: ClinicExport,
  format: 'ndjson' | 'json',
  write: (text: string) => Promise<void>,
  count: (record: ExportRecord) => void,
): Promise<void> {
  if (format === 'ndjson') {
    await write(ndjsonLine(clinic.header));
    for await (const record of clinic.records) {
      count(record);
      await write(ndjsonLine(record));
    }
    return;
  }
  // {"format":…,"tables":{"users":[…],…}}: the header's fields, then each table's rows in order.
  await write(`${JSON.stringify(clinic.header).slice(0, -1)},"tables":{`);
  let table: string | undefined;
  for await (const record of clinic.records) {
    count(record);
    if (record.table !== table) {
      await write(`${table === undefined ? '' : '\n]'}${table === undefined ? '' : ','}\n${JSON.stringify(record.table)}:[`);
      table = record.table;
      await write(`\n${JSON.stringify(record.row)}`);
    } else {
      await write(`,\n${JSON.stringify(record.row)}`);
    }
  }
  await write(`${table === undefined ? '' : '\n]'}}}\n`);
}

async function isDirectory(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isDirectory() ?? false;
}

/** Reads what `writeExport` wrote: a directory, an NDJSON file or stream, or a JSON file. */
export async function readExport(source: string, stdin: Readable): Promise<{ header: ExportHeader; records: AsyncIterable<ExportRecord> }> {
  if (source !== '-' && (await isDirectory(source))) return readDirectory(source);
  const stream = source === '-' ? stdin : createReadStream(await readableFile(source));
  stream.setEncoding('utf8');
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  // The first line that is not blank tells the two apart: NDJSON opens with its header on one line.
  let text = '';
  let lineStart = 0;
  let lineNumber = 1;
  let first: string | undefined;
  for (;;) {
    const end = text.indexOf('\n', lineStart);
    if (end >= 0) {
      const line = text.slice(lineStart, end);
      lineStart = end + 1;
      if (line.trim() === '') {
        lineNumber++;
        continue;
      }
      first = line;
      break;
    }
    // A header line is short: a longer one is JSON written on one line.
    if (text.length - lineStart > FIRST_LINE_LIMIT) break;
    const next = await chunks.next();
    if (next.done) {
      if (text.slice(lineStart).trim() !== '') first = text.slice(lineStart);
      lineStart = text.length;
      break;
    }
    text += next.value;
  }
  const name = source === '-' ? 'stdin' : source;
  if (first === undefined && text.trim() === '') throw new ValidationError(`${name} is empty: not a clinic export.`);
  const opening = first === undefined ? undefined : parseJson(first);
  if (opening !== undefined && (opening as { tables?: unknown }).tables === undefined) {
    const header = checkHeader(opening, `${source} line ${lineNumber}`);
    const rest = createInterface({ input: Readable.from(prepend(text.slice(lineStart), chunks)), crlfDelay: Infinity });
    return { header, records: ndjsonRecords(rest[Symbol.asyncIterator](), lineNumber, source) };
  }
  // One JSON document, as `--format json` writes it: read a row at a time, never whole.
  return readJsonExport(streamJson(prepend(text, chunks), source, 'tables'), source);
}

/** A chunk read ahead, then the rest of the stream. */
async function* prepend(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  if (head !== '') yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** How long the first line may be before the file is taken for JSON (an NDJSON header is ~100 bytes). */
const FIRST_LINE_LIMIT = 1 << 20;

/**
 * The header is the fields before "tables" (where `clinic export` writes them): the rows are read
 * after it one at a time, and a field after them is refused (the import, one transaction, rolls back).
 */
async function readJsonExport(items: AsyncGenerator<JsonItem>, source: string): Promise<{ header: ExportHeader; records: AsyncIterable<ExportRecord> }> {
  const fields: Record<string, unknown> = {};
  let opened = false;
  for (let next = await items.next(); !next.done; next = await items.next()) {
    const item = next.value;
    if (item.kind === 'field') fields[item.key] = item.value;
    else if (item.kind === 'open') {
      opened = true;
      break;
    } else throw new ValidationError(`${source} is neither NDJSON nor JSON written by \`clinic export\`.`);
  }
  const header = checkHeader(fields, source);
  if (!opened) throw new ValidationError(`${source} has no "tables" object.`);
  async function* records(): AsyncGenerator<ExportRecord> {
    for (let next = await items.next(); !next.done; next = await items.next()) {
      const item = next.value;
      if (item.kind === 'element') yield checkRecord({ table: item.key, row: item.value }, `${source} tables.${item.key}[${item.index}]`);
      else throw new ValidationError(`${source}: "${item.key}" comes after "tables"; the header's fields come first, as \`clinic export\` writes them.`);
    }
  }
  return { header, records: records() };
}

async function* ndjsonRecords(lines: AsyncIterator<string>, after: number, source: string): AsyncGenerator<ExportRecord> {
  let lineNumber = after;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    lineNumber++;
    if (next.value.trim() === '') continue;
    const where = `${source} line ${lineNumber}`;
    const value = parseJson(next.value);
    if (value === undefined) throw new ValidationError(`${where}: not valid JSON.`);
    yield checkRecord(value, where);
  }
}

async function readDirectory(dir: string): Promise<{ header: ExportHeader; records: AsyncIterable<ExportRecord> }> {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = parseJson(
    await fs.readFile(manifestFile, 'utf8').catch(() => {
      throw new ValidationError(`${dir} has no manifest.json: not a directory written by \`clinic export --output DIR\`.`);
    }),
  ) as (ExportHeader & { tables?: Array<{ table: string; file: string }> }) | undefined;
  const header = checkHeader(manifest, manifestFile);
  const entries = manifest?.tables;
  if (!Array.isArray(entries)) throw new ValidationError(`${manifestFile} lists no tables.`);
  async function* records(): AsyncGenerator<ExportRecord> {
    for (const entry of entries!) {
      const file = path.join(dir, path.basename(String(entry.file)));
      if (file.endsWith('.json')) {
        for await (const item of streamJson(createReadStream(file, 'utf8'), file, 'tables')) {
          if (item.kind !== 'element' || item.key !== undefined) throw new ValidationError(`${file} is not a JSON array.`);
          yield checkRecord({ table: entry.table, row: item.value }, `${file} [${item.index}]`);
        }
        continue;
      }
      let lineNumber = 0;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        lineNumber++;
        if (line.trim() === '') continue;
        const row = parseJson(line);
        if (row === undefined) throw new ValidationError(`${file} line ${lineNumber}: not valid JSON.`);
        yield checkRecord({ table: entry.table, row }, `${file} line ${lineNumber}`);
      }
    }
  }
  return { header, records: records() };
}

async function readableFile(file: string): Promise<string> {
  const stat = await fs.stat(file).catch(() => {
    throw new ValidationError(`Cannot read ${file}: no such file.`);
  });
  if (stat.isDirectory()) throw new ValidationError(`${file} is a directory without manifest.json.`);
  return file;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
