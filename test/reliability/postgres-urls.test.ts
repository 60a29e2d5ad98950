import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateClusterUnavailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';
import { spawnClinic, type SpawnResult } from '../support/spawn.js';

/**
 * The built binary against a scram + TLS server, with every credential form of a database URL:
 * no password reaches the output or a file under the config directory, and stderr holds only
 * clinic's own lines (no Node or node-postgres warnings), so `2>&1 | jq` works on --json errors.
 */
const unavailable = privateClusterUnavailable();
if (unavailable) console.warn(`postgres-urls tests skipped: ${unavailable}`);

const DB_PASSWORD = 'Db-Secret-in-URL-4471';
const KEY_PASSWORD = 'Key-Passphrase-9034';
const WRONG_PASSWORD = 'Wrong-Secret-1186';
const ADMIN_PASSWORD = 'quartz-lantern-Orchid-47';
// Node's own warning lines: `(node:1234) Warning: ...`, DeprecationWarning, pg's SECURITY WARNING.
const NODE_WARNING = /\(node:\d+\)|Warning|SECURITY/;
const SECRETS = [DB_PASSWORD, KEY_PASSWORD, WRONG_PASSWORD, encodeURIComponent(DB_PASSWORD)];

describe.skipIf(unavailable !== undefined)('database URLs with secrets, on the built binary', () => {
  let cluster: PrivateCluster;
  let home: string;
  const outputs: SpawnResult[] = [];

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-urls-'));
    await cluster.psql(`CREATE ROLE clinic_owner LOGIN PASSWORD '${DB_PASSWORD}'`);
    await cluster.psql('CREATE DATABASE clinic OWNER clinic_owner');
  });
  afterAll(async () => {
    await cluster?.destroy();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const clinic = async (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) => {
    const result = await spawnClinic(args, {
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), ...options.env },
      ...(options.input ? { input: options.input } : {}),
    });
    outputs.push(result);
    return result;
  };
  const queryUrl = (password: string) =>
    cluster
      .url({ user: 'clinic_owner', password: '', database: 'clinic', query: { sslmode: 'require', password, sslpassword: KEY_PASSWORD } })
      .replace('clinic_owner:@', 'clinic_owner@');

  it('?password= (and sslpassword=) in the URL is honoured and masked in login, whoami, db status and errors', async () => {
    const url = queryUrl(DB_PASSWORD);
    const migrate = await clinic(['db', 'migrate', '--database-url', url]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stderr).toBe('');
    expect(
      (
        await clinic(['init', '--timezone', 'Europe/Lisbon', '--admin-username', 'boss', '--admin-password-stdin', '--database-url', url], {
          input: `${ADMIN_PASSWORD}\n`,
        })
      ).code,
    ).toBe(0);
    const env = { CLINIC_DATABASE_URL: url };
    for (const args of [['login', '--username', 'boss', '--password-stdin'], ['whoami'], ['whoami', '--json'], ['db', 'status'], ['db', 'status', '--json']]) {
      const result = await clinic(args, { env, input: `${ADMIN_PASSWORD}\n` });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stderr).not.toMatch(NODE_WARNING);
      if (args.includes('--json')) expect(result.stderr).toBe('');
    }
    const status = outputs.at(-1)!;
    expect(JSON.parse(status.stdout).database).toMatch(/password=\*\*\*&sslpassword=\*\*\*/);

    const refused = await clinic(['db', 'status', '--json'], { env: { CLINIC_DATABASE_URL: queryUrl(WRONG_PASSWORD) } });
    expect(refused.code).toBe(8);
    expect(JSON.parse(refused.stderr).error.message).toMatch(/refused the password/);

    const userinfo = await clinic(['whoami', '--json', '--database-url', cluster.url({ user: 'clinic_owner', password: WRONG_PASSWORD, database: 'clinic' })]);
    expect(userinfo.code).toBe(8);
    expect(JSON.parse(userinfo.stderr).error.message).toContain('clinic_owner:***@');
  });

  it('the password appears in no output and in no file under the config directory', async () => {
    for (const result of outputs) {
      for (const secret of SECRETS) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
    }
    const files = await fs.readdir(path.join(home, 'config'), { recursive: true, withFileTypes: true });
    const sessionFiles = files.filter((entry) => entry.isFile());
    expect(sessionFiles.length).toBeGreaterThan(0);
    for (const entry of sessionFiles) {
      const content = await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
      for (const secret of SECRETS) expect(content).not.toContain(secret);
    }
  });

  it('a failure half-way through connecting (no password for a scram server) ends the process at once instead of hanging', async () => {
    const started = Date.now();
    const result = await spawnClinic(['db', 'status', '--json', '--database-url', cluster.url({ user: 'clinic_owner', password: '', database: 'clinic' })], {
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') },
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(8);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(JSON.parse(result.stderr).error.message).toMatch(/none was given/);
  });

  it('~/.pgpass and sslmode=require work without a warning on stderr; a --json error is the only stderr line', async () => {
    await fs.writeFile(path.join(home, '.pgpass'), `127.0.0.1:${cluster.port}:clinic:clinic_owner:${DB_PASSWORD}\n`, { mode: 0o600 });
    const url = cluster
      .url({ user: 'clinic_owner', password: '', database: 'clinic', query: { sslmode: 'require' } })
      .replace('clinic_owner:@', 'clinic_owner@');
    const ok = await clinic(['db', 'status', '--json', '--database-url', url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    const failed = await clinic(['db', 'status', '--json', '--database-url', url.replace('/clinic?', '/missing_db?')]);
    expect(failed.code).toBe(8);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(failed.stderr).error.code).toBe('DATABASE_UNAVAILABLE');
  });
});
