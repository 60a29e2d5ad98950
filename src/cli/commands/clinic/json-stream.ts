import { ValidationError } from '../../../domain/errors.js';

/**
 * What `streamJson` reads out of one JSON document: a field of the top-level object, the start of
 * its nested object of arrays, or one element of those arrays (or of a top-level array).
 */
export type JsonItem =
  { kind: 'field'; key: string; value: unknown } | { kind: 'open'; key: string } | { kind: 'element'; key: string | undefined; index: number; value: unknown };

type Role = 'top' | 'nested' | 'rows';
type State = 'key-or-close' | 'key' | 'colon' | 'value' | 'value-or-close' | 'comma-or-close';

interface Frame {
  array: boolean;
  role: Role;
  state: State;
  /** The member being read (an object frame), or the table a rows frame belongs to. */
  key: string | undefined;
  index: number;
}

/** A value being copied out whole, to be given to JSON.parse once it ends. */
interface Capture {
  parts: string[];
  level: number;
  inString: boolean;
  escaped: boolean;
  scalar: boolean;
}

const isSpace = (char: string) => char === ' ' || char === '\n' || char === '\r' || char === '\t';

/**
 * Reads one JSON document without holding it whole, for files bigger than a string may be: the
 * top-level object's fields one by one, except `nested` (an object of arrays, like an export's
 * `tables`), whose arrays are read an element at a time; or a top-level array's elements. Only the
 * three outer levels are parsed here; each field and element is handed to JSON.parse, which checks
 * it. Errors are ValidationErrors naming `where` and the line.
 */
export async function* streamJson(chunks: AsyncIterable<string>, where: string, nested: string): AsyncGenerator<JsonItem> {
  const frames: Frame[] = [];
  let done = false;
  let line = 1;
  let capture: Capture | undefined;
  let keyText: string[] | undefined;
  let keyEscaped = false;
  /** Where, in the chunk being read, the value or name being copied out starts. */
  let captureStart = 0;
  const items: JsonItem[] = [];

  const fail = (problem: string): never => {
    throw new ValidationError(`${where} line ${line}: ${problem}`);
  };
  const top = () => frames[frames.length - 1]!;

  const finishValue = () => (top().state = 'comma-or-close');
  const finishCapture = (text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      fail('not valid JSON.');
    }
    const frame = top();
    if (frame.role === 'rows' || frame.array) items.push({ kind: 'element', key: frame.key, index: frame.index++, value });
    else items.push({ kind: 'field', key: frame.key!, value });
    capture = undefined;
    finishValue();
  };

  const closeFrame = () => {
    frames.pop();
    if (frames.length === 0) done = true;
    else finishValue();
  };

  /** A value starts at `char`: descend into the levels parsed here, or copy it out. */
  const startValue = (char: string, i: number): void => {
    if (frames.length === 0) {
      if (char !== '{' && char !== '[') fail('not a JSON object or array.');
      frames.push({ array: char === '[', role: 'top', state: char === '[' ? 'value-or-close' : 'key-or-close', key: undefined, index: 0 });
      return;
    }
    const frame = top();
    if (frame.role === 'top' && !frame.array && frame.key === nested) {
      if (char !== '{') fail(`"${nested}" is not an object.`);
      items.push({ kind: 'open', key: nested });
      frames.push({ array: false, role: 'nested', state: 'key-or-close', key: undefined, index: 0 });
      return;
    }
    if (frame.role === 'nested') {
      if (char !== '[') fail(`"${nested}.${frame.key}" is not an array.`);
      frames.push({ array: true, role: 'rows', state: 'value-or-close', key: frame.key, index: 0 });
      return;
    }
    const scalar = char !== '{' && char !== '[' && char !== '"';
    capture = { parts: [], level: char === '{' || char === '[' ? 1 : 0, inString: char === '"', escaped: false, scalar };
    captureStart = i;
  };

  const scan = (text: string): void => {
    captureStart = 0;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === '\n') line++;
      if (capture) {
        if (capture.inString) {
          if (capture.escaped) capture.escaped = false;
          else if (char === '\\') capture.escaped = true;
          else if (char === '"') {
            capture.inString = false;
            if (capture.level === 0) finishCapture(capture.parts.join('') + text.slice(captureStart, i + 1));
          }
          continue;
        }
        if (capture.scalar) {
          if (char === ',' || char === '}' || char === ']' || isSpace(char)) {
            finishCapture(capture.parts.join('') + text.slice(captureStart, i));
            // The delimiter belongs to the level around the value: read it below.
          } else continue;
        } else {
          if (char === '"') capture.inString = true;
          else if (char === '{' || char === '[') capture.level++;
          else if (char === '}' || char === ']') {
            capture.level--;
            if (capture.level === 0) finishCapture(capture.parts.join('') + text.slice(captureStart, i + 1));
          }
          continue;
        }
      }
      if (keyText) {
        if (keyEscaped) keyEscaped = false;
        else if (char === '\\') keyEscaped = true;
        else if (char === '"') {
          const raw = keyText.join('') + text.slice(captureStart, i);
          keyText = undefined;
          let key: string;
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            return fail('not valid JSON.');
          }
          top().key = key;
          top().state = 'colon';
        }
        continue;
      }
      if (isSpace(char)) continue;
      if (done) fail('more text after the end of the JSON document.');
      if (frames.length === 0) {
        startValue(char, i);
        continue;
      }
      const frame = top();
      switch (frame.state) {
        case 'key-or-close':
        case 'key':
          if (char === '}' && frame.state === 'key-or-close') closeFrame();
          else if (char === '"') {
            keyText = [];
            captureStart = i + 1;
          } else fail('not valid JSON (expected a quoted name).');
          break;
        case 'colon':
          if (char !== ':') fail('not valid JSON (expected ":").');
          frame.state = 'value';
          break;
        case 'value-or-close':
        case 'value':
          if (char === ']' && frame.state === 'value-or-close') closeFrame();
          else if (char === ',' || char === ':' || char === '}' || char === ']') fail('not valid JSON.');
          else startValue(char, i);
          break;
        case 'comma-or-close':
          if (char === ',') frame.state = frame.array ? 'value' : 'key';
          else if (char === (frame.array ? ']' : '}')) closeFrame();
          else fail(`not valid JSON (expected "," or "${frame.array ? ']' : '}'}").`);
          break;
      }
    }
    // A value or name that goes on in the next chunk keeps what this one holds of it.
    if (capture) {
      capture.parts.push(text.slice(captureStart));
      captureStart = 0;
    } else if (keyText) {
      keyText.push(text.slice(captureStart));
      captureStart = 0;
    }
  };

  for await (const chunk of chunks) {
    scan(chunk);
    yield* items.splice(0);
  }
  // A number at the very end of the text has no delimiter after it; in an outer level it cannot be.
  if (!done) fail(frames.length === 0 ? 'empty: no JSON document.' : 'not valid JSON (it ends too soon).');
}
