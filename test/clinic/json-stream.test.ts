import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readExport } from '../../src/cli/commands/clinic/files.js';
import { streamJson, type JsonItem } from '../../src/cli/commands/clinic/json-stream.js';

async function* chunked(text: string, sizes: readonly number[]): AsyncGenerator<string> {
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield text.slice(at, at + size);
    at += size;
  }
}

async function items(text: string, sizes: readonly number[] = [text.length || 1]): Promise<JsonItem[]> {
  const out: JsonItem[] = [];
  for await (const item of streamJson(chunked(text, sizes), 'f.json', 'tables')) out.push(item);
  return out;
}

/** What the items should be, from JSON.parse of the whole text. */
function expected(text: string): JsonItem[] {
  const doc = JSON.parse(text) as Record<string, unknown> | unknown[];
  if (Array.isArray(doc)) return doc.map((value, index) => ({ kind: 'element', key: undefined, index, value }));
  const out: JsonItem[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key !== 'tables') {
      out.push({ kind: 'field', key, value });
      continue;
    }
    out.push({ kind: 'open', key });
    for (const [table, rows] of Object.entries(value as Record<string, unknown[]>)) {
      rows.forEach((row, index) => out.push({ kind: 'element', key: table, index, value: row }));
    }
  }
  return out;
}

const DOCUMENT = [
  '{"format":"clinic-export","version":1,"n":-12.5e3,"ok":true,"none":null,',
  ' "we\\"ird \\\\ key}":"a \\"quoted\\" {brace} [and] \\\\",',
  '"tables":{',
  '"users":[',
  '{"id":"u1","name":"Zoë \\u00e9","tags":["a","b",{"x":[1,2,{"y":"]}"}]}]},',
  '{"id":"u2","empty":{},"list":[],"num":0}',
  '],',
  '"appointments":[ 7 , "s" , [ ] , false ],',
  '"none":[]',
  '}}',
].join('\n');

describe('streamJson', () => {
  it('reads the fields and rows that JSON.parse reads, whatever the chunks', async () => {
    const want = expected(DOCUMENT);
    expect(want.filter((item) => item.kind === 'element')).toHaveLength(6);
    expect(await items(DOCUMENT)).toEqual(want);
    // Every split point, and chunks of one, two, three and seven characters.
    for (let cut = 1; cut < DOCUMENT.length; cut++) {
      expect(await items(DOCUMENT, [cut, DOCUMENT.length])).toEqual(want);
    }
    for (const size of [1, 2, 3, 7]) expect(await items(DOCUMENT, [size])).toEqual(want);
  });

  it('reads a top-level array an element at a time, numbers at the edges included', async () => {
    const text = '[1, -2.5e-3 ,"x",{"a":[1]},[[]],true,null,3]';
    expect(await items(text, [1])).toEqual(expected(text));
    expect(await items('[]')).toEqual([]);
  });

  it.each([
    ['{"format":"x",', 'line 1: not valid JSON (it ends too soon).'],
    ['{"a":1}{"b":2}', 'line 1: more text after the end of the JSON document.'],
    ['{"a":1 "b":2}', 'line 1: not valid JSON (expected "," or "}").'],
    ['{"a" 1}', 'line 1: not valid JSON (expected ":").'],
    ['{a:1}', 'line 1: not valid JSON (expected a quoted name).'],
    ['{"a":tru}', 'line 1: not valid JSON.'],
    ['{"a":[1,}', 'line 1: not valid JSON.'],
    ['{"tables":{"users":[{"id":1', 'line 1: not valid JSON (it ends too soon).'],
    ['[1,,2]', 'line 1: not valid JSON.'],
    ['{"tables":[]}', 'line 1: "tables" is not an object.'],
    ['{"tables":\n{"users":{}}}', 'line 2: "tables.users" is not an array.'],
    ['{"tables":{"users":[{"id":1},\n{"id":]}}', 'line 2: not valid JSON.'],
    ['"just a string"', 'line 1: not a JSON object or array.'],
    ['  \n ', 'line 2: empty: no JSON document.'],
  ])('refuses %j with the line', async (text, message) => {
    await expect(items(text, [3])).rejects.toThrow(`f.json ${message}`);
  });

  it('holds one row at a time: a row is read before the rest of the document arrives', async () => {
    const input = new PassThrough();
    input.write('{"format":"clinic-export","version":1,"schema":"20261203090000_x.ts","credentials":false,"tables":{\n"users":[\n');
    input.write('{"id":"u1","username":"admin"},\n');
    const { header, records } = await readExport('-', input);
    expect(header).toMatchObject({ format: 'clinic-export', version: 1, credentials: false });
    const iterator = records[Symbol.asyncIterator]();
    // The stream is still open: the old reader joined every line before it returned anything.
    expect(await iterator.next()).toEqual({ done: false, value: { table: 'users', row: { id: 'u1', username: 'admin' }, where: '- tables.users[0]' } });
    input.end('{"id":"u2","username":"b"}\n]}}\n');
    expect((await iterator.next()).value).toEqual({ table: 'users', row: { id: 'u2', username: 'b' }, where: '- tables.users[1]' });
    expect((await iterator.next()).done).toBe(true);
  });

  it('refuses a header field written after the rows', async () => {
    const input = new PassThrough();
    input.end('{"format":"clinic-export","version":1,"schema":"s","tables":{"users":[{"id":"u1"}]},"credentials":true}');
    const { records } = await readExport('-', input);
    const read = async () => {
      for await (const _record of records) void _record;
    };
    await expect(read()).rejects.toThrow('-: "credentials" comes after "tables"');
  });
});
