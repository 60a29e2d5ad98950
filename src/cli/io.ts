import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** The streams a command talks to; tests pass their own. */
export interface IO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** The process's streams, each created on first use (opening stdin costs time `--help` need not spend). */
export function processIO(): IO {
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
  };
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

/**
 * stdout fails. Its reader went away (`clinic … | head -1`, EPIPE): like git, stop writing and end
 * quietly (`closed`). Any other failure (a full disk under `> file`) is the run's to report
 * (`failed`). Without a listener either would be an uncaught exception with a stack.
 */
export function onStdoutError(stdout: Writable, handlers: { closed: () => void; failed: (error: NodeJS.ErrnoException) => void }): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? handlers.closed() : handlers.failed(error)));
}

/** Writes with back-pressure; gives up when the run is told to stop (a closed stdout never drains). */
export async function writeChunk(stream: Writable, text: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (!stream.write(text)) await once(stream, 'drain', { signal });
}
