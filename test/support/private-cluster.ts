import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of this test file's own, started for real: scram-sha-256 for TCP clients,
 * TLS with a self-signed certificate, a free port on 127.0.0.1. The shared server uses trust auth
 * without TLS, so password and certificate behaviour can only be tried here.
 */
export interface PrivateCluster {
  readonly port: number;
  /** The CA a client needs for verify-ca / verify-full (the self-signed certificate itself). */
  readonly rootCert: string;
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE with the parts URL-encoded. */
  url(options?: { user?: string; password?: string; database?: string; query?: Record<string, string> }): string;
  /** Runs SQL as the superuser over the Unix socket (peer-free: trust on local). */
  psql(sql: string, database?: string): Promise<string>;
  stop(): Promise<void>;
  /** Stops the server and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

export const SUPERUSER_PASSWORD = 'cluster-superuser-Pw1';

/** The directory of initdb/pg_ctl, or undefined when the server binaries are not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/** Why a private cluster cannot run here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (!postgresBinDir()) return 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin';
  if (process.getuid?.() !== 0) return 'starting a private cluster needs root (to run initdb as the postgres user)';
  return undefined;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(privateClusterUnavailable());
  const { uid, gid } = await postgresIds();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  const port = await freePort();
  let started = false;
  const asPostgres = (command: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], { cwd: root, timeout: 60_000 });

  const stop = async () => {
    if (!started) return;
    started = false;
    await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  };
  const destroy = async () => {
    await stop();
    await fs.rm(root, { recursive: true, force: true });
  };

  try {
    await fs.mkdir(socketDir);
    await fs.chown(root, uid, gid);
    await fs.chown(socketDir, uid, gid);
    const passwordFile = path.join(root, 'pwfile');
    await fs.writeFile(passwordFile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
    await fs.chown(passwordFile, uid, gid);
    await asPostgres('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '--no-instructions',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    const certificate = path.join(dataDir, 'server.crt');
    const key = path.join(dataDir, 'server.key');
    await run('openssl', [
      'req',
      '-new',
      '-x509',
      '-days',
      '1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      key,
      '-out',
      certificate,
    ]);
    await fs.chown(certificate, uid, gid);
    await fs.chown(key, uid, gid);
    await fs.chmod(key, 0o600);
    await fs.writeFile(
      path.join(dataDir, 'pg_hba.conf'),
      ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', 'host all all ::1/128 scram-sha-256', ''].join('\n'),
    );
    const rootCert = path.join(root, 'root.crt');
    await fs.copyFile(certificate, rootCert);
    await fs.chmod(rootCert, 0o644);
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${socketDir}`,
      '-c ssl=on',
      '-c fsync=off',
      '-c max_connections=40',
      '-c shared_buffers=16MB',
    ].join(' ');
    await asPostgres('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(root, 'server.log'), '-w', '-t', '30', 'start']);
    started = true;

    const url: PrivateCluster['url'] = (options = {}) => {
      const u = new URL(`postgres://127.0.0.1:${port}/`);
      u.username = encodeURIComponent(options.user ?? 'postgres');
      const password = options.password ?? (options.user === undefined ? SUPERUSER_PASSWORD : undefined);
      if (password !== undefined) u.password = encodeURIComponent(password);
      u.pathname = `/${encodeURIComponent(options.database ?? 'postgres')}`;
      for (const [name, value] of Object.entries(options.query ?? {})) u.searchParams.set(name, value);
      return u.toString();
    };
    const psql = async (sql: string, database = 'postgres') => {
      const { stdout } = await run(
        'runuser',
        [
          '-u',
          'postgres',
          '--',
          path.join(bin, 'psql'),
          '-h',
          socketDir,
          '-p',
          String(port),
          '-d',
          database,
          '-X',
          '-q',
          '-t',
          '-A',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          sql,
        ],
        { cwd: root, timeout: 60_000 },
      );
      return stdout.trim();
    };
    return { port, rootCert, url, psql, stop, destroy };
  } catch (error) {
    const log = await fs.readFile(path.join(root, 'server.log'), 'utf8').catch(() => '');
    await destroy();
    throw new Error(`could not start a private PostgreSQL cluster: ${(error as Error).message}${log ? `\n${log}` : ''}`);
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
