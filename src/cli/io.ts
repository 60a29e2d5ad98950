import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from './usage-error.js';

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

/**
 * Secrets given on stdin, one per line: exactly one line for each of `names` (line breaks at the
 * end dropped), none of them empty. Anything else is a usage error naming `flag`, before anything
 * is tried: a second line is not quietly dropped (it may be the password meant), and an empty
 * password is not sent to be refused, audited and counted as a failed login.
 */
export async function readSecretLines(stream: Readable, flag: string, names: readonly [string, ...string[]]): Promise<string[]> {
  const lines = (await readAll(stream)).replace(/(\r?\n)+$/, '').split(/\r?\n/);
  const wanted = names.length === 1 ? `one line, ${names[0]}` : `${names.length} lines: ${names.join(', then ')}`;
  if (lines.length === 1 && lines[0] === '') throw new UsageError(`${flag} read nothing from stdin; it takes ${wanted}.`);
  if (lines.length !== names.length) throw new UsageError(`${flag} takes ${wanted}; stdin holds ${lines.length} lines.`);
  const empty = lines.indexOf('');
  if (empty >= 0) throw new UsageError(`${flag}: line ${empty + 1} of stdin (${names[empty]}) is empty.`);
  return lines;
}

/** A password given on stdin: its one line. */
export async function readSecretFromStdin(stream: Readable, flag: string): Promise<string> {
  const [secret] = await readSecretLines(stream, flag, ['the password']);
  return secret!;
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
