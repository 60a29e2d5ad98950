import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

/**
 * The one way tests run a program in a child process: the built binary as a user runs it, or a
 * Node script of test/support/fixtures. The environment is minimal (PATH, HOME, NO_COLOR, and
 * XDG_CACHE_HOME, XDG_DATA_HOME and XDG_CONFIG_HOME in the run's temporary root, so that no code
 * cache, data directory, embedded server or session lands in a real home or in a test's HOME) plus
 * `env`, so nothing of the test runner's environment leaks in. CLINIC_TEST_RUN, the run's mark,
 * is passed on so that the suite's teardown finds any embedded server a child started and left.
 */
export const CLINIC_BIN = fileURLToPath(new URL('../../bin/clinic.js', import.meta.url));

/** A Node script of test/support/fixtures, by file name. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; `'open'` leaves stdin open for the test to write or end. */
  input?: string | 'open';
  nodeArgs?: string[];
  /** SIGKILL after this long (default 60 s); the result then has signal SIGKILL. */
  timeoutMs?: number;
  cwd?: string;
  /** Run as this uid (and the gid of the same number). */
  uid?: number;
  /** Start the child in a session of its own (setsid): it has no controlling terminal, whatever the test runner has. */
  newSession?: boolean;
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its streams are closed. */
  done: Promise<SpawnResult>;
}

/** The environment every child of a test starts from (see above; NO_COLOR is added by startNode, not by a terminal's runs). */
export function childEnv(): NodeJS.ProcessEnv {
  const root = inject('testRoot');
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CLINIC_TEST_RUN: process.env.CLINIC_TEST_RUN,
    XDG_CACHE_HOME: path.join(root, 'cache'),
    XDG_DATA_HOME: path.join(root, 'data-home'),
    XDG_CONFIG_HOME: path.join(root, 'config-home'),
  };
}

/** Starts `node [nodeArgs] script args` and collects its output; the test decides when to wait. */
export function startNode(script: string, args: string[], options: SpawnOptions = {}): Running {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    env: { ...childEnv(), NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    ...(options.newSession ? { detached: true } : {}),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  // a child that exits before reading all of its input must not fail the test with EPIPE
  child.stdin.on('error', () => {});
  const stdout = () => Buffer.concat(out).toString('utf8');
  const stderr = () => Buffer.concat(err).toString('utf8');
  const done = new Promise<SpawnResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: stdout(), stderr: stderr() });
    });
  });
  if (options.input !== 'open') child.stdin.end(options.input ?? '');
  return { child, stdout, stderr, done };
}

/** Starts bin/clinic.js as a user would (the built dist/), with no TTY. */
export function startClinic(args: string[], options: SpawnOptions = {}): Running {
  return startNode(CLINIC_BIN, args, options);
}

/** Runs bin/clinic.js to the end. */
export function spawnClinic(args: string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  return startClinic(args, options).done;
}

/** Runs a Node script to the end. */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  return startNode(script, args, options).done;
}

/** Waits until `condition` holds, checking every 25 ms; fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
