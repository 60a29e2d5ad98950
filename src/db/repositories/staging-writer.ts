import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';

/** Fills a staging table row by row, without holding more than a batch in memory. */
export interface StagingWriter<Row> {
  write(row: Row): Promise<void>;
  /** Flushes what is left; the rows are then in the table. */
  end(): Promise<void>;
  /** Gives up (the input failed): the connection is usable again, for the rollback. */
  abort(): Promise<void>;
}

const INSERT_BATCH_ROWS = 1_000;
const COPY_BUFFER_BYTES = 256 * 1024;

/**
 * PostgreSQL: COPY FROM STDIN on the transaction's own connection (knex hands a transaction's
 * client its one connection). PGlite has no COPY from a stream: multi-row INSERTs in batches.
 */
export async function openStagingWriter<Row extends object>(
  trx: Knex.Transaction,
  backend: 'embedded' | 'postgres',
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
): Promise<StagingWriter<Row>> {
  return backend === 'postgres' ? copyWriter(trx, table, columns) : insertWriter(trx, table, columns);
}

function insertWriter<Row extends object>(trx: Knex.Transaction, table: string, columns: ReadonlyArray<keyof Row & string>): StagingWriter<Row> {
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await trx(table).insert(rows);
  };
  return {
    async write(row) {
      const picked: Record<string, unknown> = {};
      for (const column of columns) picked[column] = (row as Record<string, unknown>)[column] ?? null;
      batch.push(picked);
      if (batch.length >= INSERT_BATCH_ROWS) await flush();
    },
    end: flush,
    abort: async () => {
      batch = [];
    },
  };
}

async function copyWriter<Row extends object>(trx: Knex.Transaction, table: string, columns: ReadonlyArray<keyof Row & string>): Promise<StagingWriter<Row>> {
  const [{ from: copyFrom }, { default: pg }] = await Promise.all([import('pg-copy-streams'), import('pg')]);
  const connection = (await trx.client.acquireConnection()) as InstanceType<typeof pg.Client>;
  const identifiers = [table, ...columns].map((name) => pg.escapeIdentifier(name));
  const statement = `COPY ${identifiers[0]} (${identifiers.slice(1).join(', ')}) FROM STDIN (FORMAT csv)`;
  const stream: Writable = connection.query(copyFrom(statement));
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  // Lines are encoded into one byte buffer as they come: a string built by += would be a rope of
  // small strings that lives through the young generation's collections and is copied by each one.
  let buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
  let used = 0;
  // When the server ends the COPY (e.g. the connection is cut), pg-copy-streams drops its connection
  // and a later write throws a TypeError: report the failure that caused it instead (exit 8, not 1).
  const rethrow = async (error: unknown): Promise<never> => {
    await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    throw error;
  };
  const send = async (text: string | Buffer) => {
    let flowing: boolean;
    try {
      flowing = stream.write(text);
    } catch (error) {
      return rethrow(error);
    }
    if (!flowing) await Promise.race([once(stream, 'drain'), failed]);
  };
  // The stream keeps what it is given until it is sent: it gets the full buffer, and the writer a new one.
  const flush = async () => {
    const full = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(COPY_BUFFER_BYTES);
    used = 0;
    await send(full);
  };
  return {
    async write(row) {
      const line = csvLine(columns.map((column) => (row as Record<string, unknown>)[column]));
      if (used + line.length * 3 > COPY_BUFFER_BYTES) {
        if (used > 0) await flush();
        if (line.length * 3 > COPY_BUFFER_BYTES) return send(line);
      }
      used += buffer.write(line, used);
    },
    async end() {
      if (used > 0) await flush();
      try {
        stream.end();
      } catch (error) {
        await rethrow(error);
      }
      await Promise.race([once(stream, 'finish'), failed]);
    },
    async abort() {
      // pg-copy-streams answers a destroyed COPY with CopyFail; the server then ends the statement.
      if (stream.writableFinished || stream.destroyed) return;
      const closed = once(stream, 'close').catch(() => {});
      stream.destroy(new Error('the import was abandoned'));
      await closed;
    },
  };
}

/** COPY's CSV: NULL is an empty unquoted field; every value is quoted, so '' stays an empty string. */
function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    const value = values[i];
    if (value === null || value === undefined) continue;
    const text = String(value);
    line += text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
  }
  return `${line}\n`;
}
