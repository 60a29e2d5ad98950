import fs from 'node:fs/promises';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { DatabaseUnavailableError, isClinicError } from '../errors.js';
import { prepareDataDir, tightenModes, toDataDirError, diskFullAfterFailure } from '../data-dir.js';
import { acquireEmbeddedLock, type EmbeddedLock } from '../embedded-lock.js';
import { openPglite } from '../pglite.js';
import { Engine } from './engine.js';
import { prepareRunDir, serverPaths } from './paths.js';
import type { ServerStatus, StartReport } from './protocol.js';

const DEFAULT_IDLE_MS = 600_000;
/** The settings table's key of `clinic settings set server-idle-minutes N`. */
const IDLE_SETTING = 'serverIdleMinutes';

/**
 * The embedded database server: owns one data directory (its lock, its PGlite) and serves the
 * PostgreSQL protocol on a Unix socket until it has been idle for a while. Started detached by
 * the first command that needs it (src/db/server/client.ts), which it tells over IPC whether it
 * came up.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'idle-timeout': { type: 'string' } } });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  // --idle-timeout (from CLINIC_SERVER_IDLE_TIMEOUT) wins; else the clinic's `server-idle-minutes` setting, read whenever the server falls idle.
  const explicitIdle = values['idle-timeout'] === undefined ? undefined : Math.max(1, Number(values['idle-timeout'])) * 1000;
  let idleTimeoutMs = explicitIdle ?? DEFAULT_IDLE_MS;
  const paths = serverPaths(dataDir);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} [${process.pid}] ${line}\n`);

  let lock: EmbeddedLock;
  try {
    await prepareRunDir(paths);
    await prepareDataDir(dataDir);
  } catch (error) {
    await report(failure(error, dataDir));
    process.exit(1);
  }
  try {
    lock = await acquireEmbeddedLock(dataDir, { timeoutMs: 0 });
  } catch (error) {
    // Most often another server won the race to start: the command waits for that one.
    if (error instanceof DatabaseUnavailableError && /in use by another clinic process/.test(error.message)) {
      await report({ kind: 'busy', message: error.message });
      return;
    }
    await report(failure(error, dataDir));
    process.exit(1);
  }

  let engine: Engine | undefined;
  let pglite: Awaited<ReturnType<typeof openPglite>> | undefined;
  const startedAt = Date.now();
  const servers: net.Server[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (why: string) =>
    (stopping ??= (async () => {
      log(`stopping: ${why}`);
      for (const server of servers) server.close();
      await engine?.closeAll();
      // close() checkpoints the WAL: the next start has nothing to recover.
      await pglite?.close().catch((error: Error) => log(`close: ${error.message}`));
      await fs.rm(paths.socket, { force: true });
      await fs.rm(paths.control, { force: true });
      try {
        tightenModes(dataDir);
      } catch {
        // The directory may be gone (that is one reason to stop).
      }
      await lock.release();
      log('stopped');
      process.exit(0);
    })());

  try {
    // We hold the lock, so any socket left here is a dead server's.
    await fs.rm(paths.socket, { force: true });
    await fs.rm(paths.control, { force: true });
    pglite = await openPglite(dataDir);
    // PGlite makes its files 0666 (inside the 0700 directory); they are tightened now and whenever the server falls idle.
    tightenModes(dataDir);
    let tightenedAt = Date.now();
    engine = new Engine(pglite, log, process.env.CLINIC_SERVER_TRACE === '1');
    const active = engine;
    const status = (): ServerStatus => ({
      pid: process.pid,
      dataDir,
      socket: paths.socket,
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: active.connections,
      waiting: active.waiting,
      residentBytes: process.memoryUsage.rss(),
      idleTimeoutSeconds: Math.round(idleTimeoutMs / 1000),
    });
    servers.push(await listen(paths.control, (socket) => serveControl(socket, status, stop)));
    servers.push(await listen(paths.socket, (socket) => active.attach(socket)));
    await fs.chmod(paths.socket, 0o600);
    await fs.chmod(paths.control, 0o600);
    const readIdleSetting = async () => {
      if (explicitIdle !== undefined || !pglite) return;
      const database = pglite;
      try {
        const result = await active.between(() => database.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [IDLE_SETTING]));
        const minutes = Number(result.rows[0]?.value);
        idleTimeoutMs = Number.isInteger(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_IDLE_MS;
      } catch {
        // Not migrated yet: the default holds.
      }
    };
    await readIdleSetting();
    const inode = (await fs.stat(dataDir)).ino;
    setInterval(() => {
      void fs.stat(dataDir).then(
        (stat) => {
          if (stat.ino !== inode) void stop('the data directory was replaced');
        },
        () => void stop('the data directory was removed'),
      );
      if (active.connections > 0) return;
      if (Date.now() - active.idleSince >= idleTimeoutMs) void stop(`idle for ${idleTimeoutMs / 1000} s`);
      else if (active.idleSince > tightenedAt) {
        tightenedAt = Date.now();
        void readIdleSetting();
        try {
          tightenModes(dataDir);
        } catch {
          // Checked again at the next tick (and at stop).
        }
      }
    }, 1000).unref();
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
    log(`serving ${dataDir} on ${paths.socket}`);
    await report({ kind: 'ready' });
  } catch (error) {
    log(`start failed: ${(error as Error).message}`);
    await report(
      isClinicError(error) || toDataDirError(error, dataDir)
        ? failure(error, dataDir)
        : failure((await diskFullAfterFailure(error, dataDir)) ?? error, dataDir),
    );
    await pglite?.close().catch(() => {});
    await lock.release();
    process.exit(1);
  }
}

function failure(error: unknown, dataDir: string): StartReport {
  const domain = isClinicError(error) ? error : toDataDirError(error, dataDir);
  return domain
    ? { kind: 'failed', name: domain.name, message: domain.message, remedy: domain.remedy }
    : { kind: 'failed', name: 'Error', message: `Cannot open the embedded database at ${dataDir}: ${(error as Error).message}` };
}

/** Tells the command that started us; it may be gone already (killed while waiting), which changes nothing here. */
function report(message: StartReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(message, () => {
        if (process.connected) process.disconnect();
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

function listen(file: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(file, () => resolve(server));
  });
}

function serveControl(socket: net.Socket, status: () => ServerStatus, stop: (why: string) => Promise<void>): void {
  let text = '';
  socket.on('error', () => socket.destroy());
  socket.on('data', (data: Buffer) => {
    text += data.toString('utf8');
    if (!text.includes('\n')) return;
    const command = text.slice(0, text.indexOf('\n')).trim();
    if (command === 'status') socket.end(`${JSON.stringify(status())}\n`);
    else if (command === 'stop') socket.end(`${JSON.stringify(status())}\n`, () => void stop('asked to stop'));
    else socket.end('{}\n');
  });
}

main().catch((error: unknown) => {
  process.stdout.write(`${new Date().toISOString()} [${process.pid}] ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
