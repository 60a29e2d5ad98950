import type { Readable, Writable } from 'node:stream';

/** The streams a command talks to; tests pass their own. */
export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export function processIO(): IO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A password or token given on stdin: the first line, without its line ending. */
export async function readSecretFromStdin(stream: Readable): Promise<string> {
  const text = await readAll(stream);
  return text.replace(/\r?\n$/, '').split(/\r?\n/)[0] ?? '';
}
