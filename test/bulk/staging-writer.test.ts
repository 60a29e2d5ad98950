import { expect, it } from 'vitest';
import { openStagingWriter } from '../../src/db/repositories/staging-writer.js';
import { describeBackends } from '../support/database.js';

interface Row {
  line: number;
  text: string | null;
}

/**
 * The staging writer is what bulk imports stream their rows through (COPY on PostgreSQL, batched
 * INSERTs on PGlite): every value must arrive as written, across many flushes, whatever its size
 * or its characters.
 */
describeBackends('staging writer', (db) => {
  it('stages every row as written: text in any script, quotes, commas, newlines, empty and null values, values larger than a flush', async () => {
    const samples = [
      'Contrôle annuel — Dr. Müller',
      'Ωμέγα, 日本語の予約, emoji 🩺 (a surrogate pair)',
      'a "quoted" word, a comma',
      'two\nlines\r\nand a tab\t',
      '',
      null,
    ];
    // Larger than the writer's buffer even when every character takes three bytes.
    const long = `${'é'.repeat(60_000)}${'予'.repeat(60_000)}`;
    const rows: Row[] = [];
    for (let line = 1; line <= 20_000; line++) rows.push({ line, text: line === 7_777 ? long : samples[line % samples.length]! });

    const staged = await db().knex.transaction(async (trx) => {
      await trx.raw('CREATE TEMP TABLE staging_writer_rows (line integer NOT NULL, text text) ON COMMIT DROP');
      const writer = await openStagingWriter<Row>(trx, db().backend, 'staging_writer_rows', ['line', 'text']);
      for (const row of rows) await writer.write(row);
      await writer.end();
      return trx('staging_writer_rows').select('line', 'text').orderBy('line');
    });

    expect(staged).toHaveLength(rows.length);
    const mismatches = staged.filter((row: Row, index: number) => row.line !== rows[index]!.line || row.text !== rows[index]!.text);
    expect(mismatches).toEqual([]);
    expect(staged.find((row: Row) => row.line === 7_777).text).toBe(long);
  });
});
