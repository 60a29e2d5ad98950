import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/run.js';
import type { Database } from '../../src/db/connect.js';
import type { Actor } from '../../src/domain/policy.js';
import type { ControllingTerminal } from '../../src/cli/terminal.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws if it is not exactly one JSON value) */
  json<T = unknown>(): T;
}

export interface CliOptions {
  database?: Database;
  /** Act as this user without a session; leave undefined to use the real session/token lookup. */
  actor?: Actor | null;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Pretend stdin and stdout are terminals. */
  tty?: boolean;
  now?: () => Date;
  /** The controlling terminal the run is under; none unless given (the test runner's own never counts). */
  terminal?: ControllingTerminal | null;
}

/** Runs the CLI in this process with injected streams; nothing touches the real terminal. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  // Like process.stderr, which stream.pipe never ends: a prompt pipes its output into it and ends that at its close.
  stderr.end = ((chunk?: unknown) => {
    if (chunk !== undefined && typeof chunk !== 'function') stderr.write(chunk as Buffer);
    return stderr;
  }) as typeof stderr.end;
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as Readable & { isTTY?: boolean };
  if (options.tty) {
    stdout.isTTY = true;
    stdin.isTTY = true;
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await run(['node', 'clinic', ...args], {
    io: { stdin, stdout, stderr },
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    ...(options.database ? { database: options.database } : {}),
    ...(options.actor !== undefined ? { actor: options.actor } : {}),
    ...(options.now ? { now: options.now } : {}),
    terminal: options.terminal ?? null,
  });
  const result = { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  return { ...result, json: <T>() => JSON.parse(result.stdout) as T };
}
