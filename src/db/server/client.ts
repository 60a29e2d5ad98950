import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ConflictError, DatabaseUnavailableError, ValidationError, type ClinicError } from '../errors.js';
import { prepareDataDir } from '../data-dir.js';
import { lockHolder } from '../embedded-lock.js';
import { assertOwnSocket, prepareRunDir, serverPaths, type ServerPaths } from './paths.js';
import type { ServerStatus, StartReport } from './protocol.js';

export interface EnsureServerOptions {
  /** How long to wait for a data directory held by another process (--lock-timeout). */
  timeoutMs: number;
  onWait?: (holderPid: number | undefined, holder: string) => void;
  env: NodeJS.ProcessEnv;
  /**
   * Trust a socket of ours without connecting to it first: the caller connects at once and asks
   * again (without this) when nothing answers. Saves a connection per command on a warm server.
   */
  trustSocket?: boolean;
}

// A server that holds the lock is still starting (PGlite opens in ~1 s, initdb in ~6 s): waited for even past --lock-timeout.
const START_GRACE_MS = 20_000;
const REPORT_WAIT_AFTER_MS = 1_000;

/**
 * The server of this data directory, started when none runs. Two commands arriving together may
 * both start one; the second finds the lock taken and exits before it opens anything, and both
 * commands then use the first.
 */
export async function ensureServer(dataDir: string, options: EnsureServerOptions): Promise<ServerPaths> {
  const paths = serverPaths(dataDir, options.env);
  await prepareDataDir(dataDir);
  await prepareRunDir(paths);
  const began = Date.now();
  let deadline = began + options.timeoutMs;
  let reportedWait = false;
  if (options.trustSocket && (await assertOwnSocket(paths.socket))) return paths;
  for (;;) {
    if (await accepts(paths.socket)) return paths;
    const holder = await lockHolder(dataDir);
    if (!holder) {
      const report = await startServer(paths, options.env);
      if (report.kind === 'ready') return paths;
      if (report.kind === 'failed') throw startFailure(report);
      continue;
    }
    const starting = holder.pid !== undefined && (await isServerProcess(holder.pid));
    if (starting) deadline = Math.max(deadline, began + START_GRACE_MS);
    // A server that is starting is worth a word only when it takes long; anyone else holding the directory at once.
    if (!reportedWait && (!starting || Date.now() - began >= REPORT_WAIT_AFTER_MS)) {
      reportedWait = true;
      options.onWait?.(holder.pid, holder.holder);
    }
    if (Date.now() >= deadline) {
      throw new DatabaseUnavailableError(
        `The embedded database at ${dataDir} is in use by another clinic process ${holder.holder}; gave up after ${Math.round(options.timeoutMs / 1000)} s.`,
        { remedy: 'Wait for the other command to finish, or raise --lock-timeout.' },
      );
    }
    await sleep(20);
  }
}

/** Whether a server answers on the socket (one that is not ours is refused, not tried). */
async function accepts(socketPath: string): Promise<boolean> {
  if (!(await assertOwnSocket(socketPath))) return false;
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startServer(paths: ServerPaths, env: NodeJS.ProcessEnv): Promise<StartReport> {
  const log = await fs.open(paths.log, 'a', 0o600);
  const entry = serverEntry();
  let started: ChildProcess;
  let reported: Promise<StartReport>;
  try {
    const idle = idleTimeoutSeconds(env);
    started = spawn(process.execPath, [...entry.args, '--data-dir', paths.dataDir, ...(idle === undefined ? [] : ['--idle-timeout', String(idle)])], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'ipc'],
      env,
      cwd: entry.cwd,
    });
    // Listening before anything else is awaited: a server that reports (or exits) while we are
    // still closing the log would otherwise go unheard, and this command would stop waiting on nothing.
    reported = startReport(started, paths);
  } finally {
    await log.close();
  }
  return reported.finally(() => {
    started.removeAllListeners();
    if (started.connected) started.disconnect();
    started.unref();
  });
}

function startReport(started: ChildProcess, paths: ServerPaths): Promise<StartReport> {
  return new Promise<StartReport>((resolve) => {
    started.once('message', (message) => resolve(message as StartReport));
    started.once('error', (error) => resolve({ kind: 'failed', name: 'Error', message: `Cannot start the embedded database server: ${error.message}` }));
    started.once('exit', (code, signal) =>
      resolve({
        kind: 'failed',
        name: 'Error',
        message: `The embedded database server stopped before it was ready (${signal ?? `exit ${code}`}); its log is ${paths.log}.`,
      }),
    );
  });
}

/**
 * The bundled dist/db-server.cjs beside the CLI's bundle; from the sources (tests, the knexfile)
 * the same bundle when `npm run build` made one (npm test does), else main.ts under tsx.
 */
function serverEntry(): { args: string[]; cwd: string } {
  const bundled =
    typeof __dirname === 'string' ? path.join(__dirname, 'db-server.cjs') : fileURLToPath(new URL('../../../dist/db-server.cjs', import.meta.url));
  if (existsSync(bundled)) return { args: [bundled], cwd: '/' };
  const source = fileURLToPath(new URL('./main.ts', import.meta.url));
  return { args: ['--import', 'tsx', source], cwd: path.dirname(source) };
}

/** CLINIC_SERVER_IDLE_TIMEOUT, in seconds; unset, the server follows the `server-idle-minutes` setting (default 10). */
function idleTimeoutSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.CLINIC_SERVER_IDLE_TIMEOUT);
  return env.CLINIC_SERVER_IDLE_TIMEOUT && Number.isFinite(value) && value > 0 ? value : undefined;
}

async function isServerProcess(pid: number): Promise<boolean> {
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /db-server\.cjs|server[\\/]main\.[jt]s/.test(cmdline);
}

function startFailure(report: Extract<StartReport, { kind: 'failed' }>): ClinicError {
  const options = report.remedy === undefined ? {} : { remedy: report.remedy };
  if (report.name === 'ValidationError') return new ValidationError(report.message, options);
  if (report.name === 'ConflictError') return new ConflictError(report.message, options);
  return new DatabaseUnavailableError(report.message, {
    remedy: report.remedy ?? 'Check that the directory is a clinic data directory, or choose another with --data-dir.',
  });
}

/** The running server's own report, or undefined when none runs. */
export async function serverStatus(dataDir: string, env: NodeJS.ProcessEnv): Promise<ServerStatus | undefined> {
  return control(serverPaths(dataDir, env), 'status');
}

/** Asks the server to stop (open transactions roll back, PGlite checkpoints) and waits until it has. */
export async function stopServer(dataDir: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServerStatus | undefined> {
  const status = await control(serverPaths(dataDir, env), 'stop');
  if (!status) return undefined;
  const deadline = Date.now() + timeoutMs;
  while (isRunning(status.pid)) {
    if (Date.now() >= deadline) {
      throw new DatabaseUnavailableError(`The embedded database server (pid ${status.pid}) did not stop within ${Math.round(timeoutMs / 1000)} s.`, {
        remedy: `Wait for its commands to finish, or end it with \`kill ${status.pid}\`.`,
      });
    }
    await sleep(20);
  }
  return status;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function control(paths: ServerPaths, command: 'status' | 'stop'): Promise<ServerStatus | undefined> {
  if (!(await assertOwnSocket(paths.control))) return undefined;
  return new Promise((resolve) => {
    const socket = net.connect(paths.control);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('connect', () => socket.write(`${command}\n`));
    socket.once('error', () => resolve(undefined));
    socket.once('close', () => {
      try {
        resolve(JSON.parse(text) as ServerStatus);
      } catch {
        resolve(undefined);
      }
    });
  });
}
