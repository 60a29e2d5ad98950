import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ClinicExport } from '../../../domain/clinic/export.js';
import { TABLE_NAMES, checkHeader, checkRecord, ndjsonLine, type ExportHeader, type ExportRecord } from '../../../domain/clinic/records.js';
import { ValidationError } from '../../../domain/errors.js';

export interface ExportSummary {
  output: string;
  tables: Record<string, number>;
}

/**
 * Writes an export: to stdout, to one file (0600, under a temporary name renamed at the end, so
 * a failed export leaves no half file), or to a directory (0700) of `manifest.json` and one
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

  let write = stdout;
  let finish = async () => {};
  if (output !== undefined) {
    const temporary = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp`);
    const file = await fs.open(temporary, 'w', 0o600);
    write = async (text) => void (await file.write(text));
    finish = async () => {
      await file.close();
      await fs.rename(temporary, output);
    };
    const abandon = async () => {
      await file.close().catch(() => undefined);
      await fs.rm(temporary, { force: true });
    };
    try {
      await writeStream(clinic, format, write, count);
      await finish();
    } catch (error) {
      await abandon();
      throw error;
    }
    return { output, tables };
  }
  await writeStream(clinic, format, write, count);
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
  const lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let first = await lines.next();
  let lineNumber = 1;
  while (!first.done && first.value.trim() === '') {
    first = await lines.next();
    lineNumber++;
  }
  if (first.done) throw new ValidationError(`${source === '-' ? 'stdin' : source} is empty: not a clinic export.`);
  const opening = parseJson(first.value);
  if (opening !== undefined && (opening as { tables?: unknown }).tables === undefined) {
    const header = checkHeader(opening, `${source} line ${lineNumber}`);
    return { header, records: ndjsonRecords(lines, lineNumber, source) };
  }
  // One JSON object over many lines: small enough to have come from `--format json`.
  let text = first.value;
  for (let next = await lines.next(); !next.done; next = await lines.next()) text += `\n${next.value}`;
  const whole = parseJson(text) as (ExportHeader & { tables?: Record<string, unknown[]> }) | undefined;
  if (whole === undefined) throw new ValidationError(`${source} is neither NDJSON nor JSON written by \`clinic export\`.`);
  const header = checkHeader(whole, source);
  const tables = whole.tables;
  if (!tables || typeof tables !== 'object') throw new ValidationError(`${source} has no "tables" object.`);
  return { header, records: jsonRecords(tables, source) };
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

async function* jsonRecords(tables: Record<string, unknown[]>, source: string): AsyncGenerator<ExportRecord> {
  for (const [table, rows] of Object.entries(tables)) {
    if (!Array.isArray(rows)) throw new ValidationError(`${source}: "tables.${table}" is not an array.`);
    for (const [i, row] of rows.entries()) yield checkRecord({ table, row }, `${source} tables.${table}[${i}]`);
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
        const rows = parseJson(await fs.readFile(file, 'utf8'));
        if (!Array.isArray(rows)) throw new ValidationError(`${file} is not a JSON array.`);
        yield* jsonRecords({ [entry.table]: rows }, file);
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
