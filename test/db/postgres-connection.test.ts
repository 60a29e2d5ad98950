import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { runCli } from '../support/cli.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { privateClusterUnavailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';

/**
 * How clinic connects to a PostgreSQL server as clinics run it: scram-sha-256 passwords, TLS with
 * the libpq sslmode semantics, ~/.pgpass. All on a private cluster of this file's own.
 */
const unavailable = privateClusterUnavailable();
if (unavailable) console.warn(`postgres-connection tests skipped: ${unavailable}`);

const OWNER_PASSWORD = 'owner-Secret-2207';

describe.skipIf(unavailable !== undefined)('connecting to PostgreSQL (private scram + TLS cluster)', () => {
  let cluster: PrivateCluster;
  let home: string;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-pghome-'));
    await cluster.psql(`CREATE ROLE clinic_owner LOGIN PASSWORD '${OWNER_PASSWORD}'`);
    await cluster.psql('CREATE DATABASE clinic OWNER clinic_owner');
  });
  afterAll(async () => {
    await cluster?.destroy();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const ownerUrl = (query: Record<string, string> = {}, host = '127.0.0.1') =>
    cluster.url({ user: 'clinic_owner', password: OWNER_PASSWORD, database: 'clinic', query }).replace('127.0.0.1', host);
  const status = (url: string, env: NodeJS.ProcessEnv = {}) => runCli(['db', 'status', '--json', '--database-url', url], { env: { HOME: home, ...env } });
  const encrypted = async (url: string, env: NodeJS.ProcessEnv = {}) => {
    const database = await openDatabase({ backend: 'postgres', url }, { schema: 'none', env: { HOME: home, ...env } });
    try {
      const { rows } = await database.knex.raw<{ rows: Array<{ ssl: boolean }> }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return rows[0]?.ssl;
    } finally {
      await database.close();
    }
  };

  describe('TLS as libpq documents sslmode', () => {
    it('encrypts by default (prefer) and with require, without verifying the self-signed certificate', async () => {
      expect(await encrypted(ownerUrl())).toBe(true);
      expect(await encrypted(ownerUrl({ sslmode: 'require' }))).toBe(true);
      expect(await encrypted(ownerUrl({ sslmode: 'disable' }))).toBe(false);
    });

    it('verify-ca checks the CA but not the host name; verify-full checks both', async () => {
      expect(await encrypted(ownerUrl({ sslmode: 'verify-ca', sslrootcert: cluster.rootCert }))).toBe(true);
      expect(await encrypted(ownerUrl({ sslmode: 'verify-full', sslrootcert: cluster.rootCert }, 'localhost'))).toBe(true);
      const mismatch = await status(ownerUrl({ sslmode: 'verify-full', sslrootcert: cluster.rootCert }));
      expect(mismatch.code).toBe(8);
      expect(JSON.parse(mismatch.stderr).error.message).toMatch(/does not name the host "127.0.0.1"/);
      expect(JSON.parse(mismatch.stderr).error.remedy).toMatch(/verify-ca/);
    });

    it('refuses a certificate that the given CA did not sign, naming sslrootcert (require with a root certificate is verify-ca)', async () => {
      const otherCa = path.join(home, 'other-ca.crt');
      await promisify(execFile)('openssl', [
        'req',
        '-new',
        '-x509',
        '-days',
        '1',
        '-nodes',
        '-subj',
        '/CN=other',
        '-keyout',
        path.join(home, 'other.key'),
        '-out',
        otherCa,
      ]);
      for (const sslmode of ['require', 'verify-ca', 'verify-full']) {
        const result = await status(ownerUrl({ sslmode, sslrootcert: otherCa }, 'localhost'));
        expect(result.code, sslmode).toBe(8);
        expect(JSON.parse(result.stderr).error.message).toMatch(/not signed by a trusted CA/);
        expect(JSON.parse(result.stderr).error.remedy).toMatch(/sslrootcert in the database URL/);
      }
    });

    it('verify-ca without any root certificate, or with a missing file, is exit 8 naming the setting', async () => {
      const none = await status(ownerUrl({ sslmode: 'verify-ca' }));
      expect(none.code).toBe(8);
      expect(JSON.parse(none.stderr).error.remedy).toMatch(/sslrootcert=PATH/);
      const missing = await status(ownerUrl({ sslmode: 'verify-full', sslrootcert: path.join(home, 'nope.crt') }));
      expect(missing.code).toBe(8);
      expect(JSON.parse(missing.stderr).error.message).toMatch(/nope\.crt.*sslrootcert in the database URL/);
      const invalid = await status(ownerUrl({ sslmode: 'strict' }));
      expect(invalid.code).toBe(3);
    });

    it('reads PGSSLMODE and PGSSLROOTCERT from the environment, the URL winning over them', async () => {
      expect(await encrypted(ownerUrl({}, 'localhost'), { PGSSLMODE: 'verify-full', PGSSLROOTCERT: cluster.rootCert })).toBe(true);
      expect(await encrypted(ownerUrl(), { PGSSLMODE: 'disable' })).toBe(false);
      expect(await encrypted(ownerUrl({ sslmode: 'require' }), { PGSSLMODE: 'disable' })).toBe(true);
      const result = await status(ownerUrl(), { PGSSLMODE: 'verify-ca' });
      expect(result.code).toBe(8);
      expect(JSON.parse(result.stderr).error.message).toMatch(/PGSSLMODE/);
    });
  });

  it.skipIf(!testDatabaseUrl())('sslmode=require against a server without TLS (the shared test server) is exit 8 saying so', async () => {
    const url = new URL(testDatabaseUrl()!);
    url.searchParams.set('sslmode', 'require');
    const result = await status(url.toString());
    expect(result.code).toBe(8);
    const error = JSON.parse(result.stderr).error;
    expect(error.message).toMatch(/does not accept TLS, and sslmode in the database URL is "require"/);
    expect(error.remedy).toMatch(/sslmode/);
    // prefer (the default) falls back to an unencrypted connection there, as libpq does
    url.searchParams.set('sslmode', 'prefer');
    expect((await status(url.toString())).code).toBe(0);
  });

  describe('password authentication', () => {
    it('a wrong password is exit 8 saying so, without the password', async () => {
      const result = await status(cluster.url({ user: 'clinic_owner', password: 'Not-The-Password-77', database: 'clinic' }));
      expect(result.code).toBe(8);
      expect(JSON.parse(result.stderr).error.message).toMatch(/refused the password of role "clinic_owner"/);
      expect(result.stderr).not.toContain('Not-The-Password-77');
    });

    it('no password for a scram server is exit 8 naming where a password can come from', async () => {
      const result = await status(cluster.url({ user: 'clinic_owner', database: 'clinic' }));
      expect(result.code).toBe(8);
      const error = JSON.parse(result.stderr).error;
      expect(error.message).toMatch(/asks for a password for role "clinic_owner", and none was given/);
      expect(error.remedy).toMatch(/PGPASSWORD/);
    });

    it('PGPASSWORD and a private ~/.pgpass supply the password; a readable ~/.pgpass is ignored and the error says why', async () => {
      const url = cluster.url({ user: 'clinic_owner', database: 'clinic' });
      expect((await status(url, { PGPASSWORD: OWNER_PASSWORD })).code).toBe(0);
      const pgpass = path.join(home, '.pgpass');
      await fs.writeFile(pgpass, `# clinic\n127.0.0.1:${cluster.port}:other:clinic_owner:wrong\n127.0.0.1:*:clinic:clinic_owner:${OWNER_PASSWORD}\n`, {
        mode: 0o600,
      });
      try {
        expect((await status(url)).code).toBe(0);
        await fs.chmod(pgpass, 0o644);
        const result = await status(url);
        expect(result.code).toBe(8);
        expect(JSON.parse(result.stderr).error.message).toMatch(/\.pgpass was ignored because other users can read it/);
      } finally {
        await fs.rm(pgpass, { force: true });
      }
    });

    it('an unknown database, an unreachable port and a malformed URL each say which it is', async () => {
      const unknown = await status(cluster.url({ user: 'clinic_owner', password: OWNER_PASSWORD, database: 'no_such_db' }));
      expect(unknown.code).toBe(8);
      expect(JSON.parse(unknown.stderr).error.message).toMatch(/has no such database/);

      const closedPort = await freePort();
      const unreachable = await status(`postgres://clinic_owner:${OWNER_PASSWORD}@127.0.0.1:${closedPort}/clinic`);
      expect(unreachable.code).toBe(8);
      expect(JSON.parse(unreachable.stderr).error.message).toMatch(/Cannot reach .*ECONNREFUSED/);
      expect(unreachable.stderr).not.toContain(OWNER_PASSWORD);

      const unencoded = await status(`postgres://clinic_owner:pa#ss/word@127.0.0.1:${cluster.port}/clinic`);
      expect(unencoded.code).toBe(3);
      expect(JSON.parse(unencoded.stderr).error.remedy).toMatch(/percent-encoded/);
      expect(unencoded.stderr).not.toContain('pa#ss');

      const outOfRange = await status(`postgres://clinic_owner@127.0.0.1:99999/clinic`);
      expect(outOfRange.code).toBe(3);
      expect(JSON.parse(outOfRange.stderr).error.message).toMatch(/port 99999.*out of range/);
    });

    it('a special-character password works once percent-encoded', async () => {
      const password = 'p@ss:w/rd#1?% x';
      await cluster.psql(`CREATE ROLE odd_password LOGIN PASSWORD '${password}'`);
      const result = await status(cluster.url({ user: 'odd_password', password, database: 'clinic' }));
      expect(result.code, result.stderr).toBe(0);
    });
  });

  it('never hangs when the server accepts the connection and then fails', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const result = await status(`postgres://clinic_owner:x@127.0.0.1:${port}/clinic?sslmode=disable`);
      expect(result.code).toBe(8);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      server.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
