import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRecords, type RecordShape, type SourceRecord } from '../../src/domain/import-file.js';

const SHAPE: RecordShape = { fields: ['name', 'note'], required: ['name'] };

async function read(text: string): Promise<SourceRecord[]> {
  const rows: SourceRecord[] = [];
  for await (const row of readRecords(Readable.from([Buffer.from(text)]), SHAPE, 'csv')) rows.push(row);
  return rows;
}

describe('readRecords: CSV line numbers', () => {
  // every file: header (line 1), a row whose quoted note spans lines 2–3, an empty line 4, a row on line 5, a row on line 6
  const lineBreaks = { LF: '\n', CRLF: '\r\n', CR: '\r' };
  for (const [ending, eol] of Object.entries(lineBreaks)) {
    for (const [inside, cellBreak] of Object.entries(lineBreaks)) {
      it(`are the physical line a row starts on: ${ending} line endings, ${inside} inside a quoted cell`, async () => {
        const rows = await read(['name,note', `a,"multi${cellBreak}line"`, '', 'b,x', 'c,"y"', ''].join(eol));
        expect(rows.map((row) => [row.line, row.fields.name])).toEqual([
          [2, 'a'],
          [5, 'b'],
          [6, 'c'],
        ]);
        expect(rows[0]!.fields.note).toBe(`multi${cellBreak}line`);
      });
    }
  }

  it('count several line breaks in one cell, and in cells of earlier rows, once each', async () => {
    const rows = await read('name,note\r\n"a\r\n\r\nb","c\r\nd"\r\ne,"f\rg\nh"\r\ni,j\r\n');
    expect(rows.map((row) => row.line)).toEqual([2, 6, 9]);
  });

  it('name the line of an unreadable row after multi-line CRLF cells', async () => {
    const rows = await read('name,note\r\na,"x\r\ny"\r\nb,"un"closed\r\n');
    expect(rows.map((row) => [row.line, row.problem ?? null])).toContainEqual([4, 'malformed CSV: a quote inside a field must be doubled ("")']);
    // an unclosed quote runs to the end of the file: that is the line named, as with LF endings
    const unclosed = await read('name,note\r\na,"x\r\ny"\r\nb,"never closed\r\n');
    expect(unclosed.map((row) => [row.line, row.problem ?? null])).toEqual([
      [2, null],
      [5, 'malformed CSV: a quoted field is not closed'],
    ]);
  });
});
