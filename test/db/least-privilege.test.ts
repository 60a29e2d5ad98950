import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { runCli } from '../support/cli.js';
import { privateClusterUnavailable, startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';

/**
 * Two roles, as a careful DBA runs clinic: the owner migrates and grants; every other command runs
 * as the application role, which cannot rewrite or silence the audit log.
 */
const unavailable = privateClusterUnavailable();
if (unavailable) console.warn(`least-privilege tests skipped: ${unavailable}`);

const OWNER_PASSWORD = 'owner-Secret-5120';
const APP_PASSWORD = 'app-Secret-8843';
const ADMIN_PASSWORD = 'quartz-lantern-Orchid-47';

describe.skipIf(unavailable !== undefined)('least privilege: owner role migrates, application role runs clinic', () => {
  let cluster: PrivateCluster;
  let home: string;
  let ownerUrl: string;
  let appUrl: string;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-lp-'));
    await cluster.psql(`CREATE ROLE clinic_owner LOGIN PASSWORD '${OWNER_PASSWORD}'`);
    await cluster.psql(`CREATE ROLE clinic_app LOGIN PASSWORD '${APP_PASSWORD}'`);
    await cluster.psql('CREATE DATABASE clinic OWNER clinic_owner');
    ownerUrl = cluster.url({ user: 'clinic_owner', password: OWNER_PASSWORD, database: 'clinic' });
    appUrl = cluster.url({ user: 'clinic_app', password: APP_PASSWORD, database: 'clinic' });
  });
  afterAll(async () => {
    await cluster?.destroy();
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const clinic = (url: string, args: string[], stdin?: string) =>
    runCli(['--database-url', url, ...args], { env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') }, ...(stdin !== undefined ? { stdin } : {}) });
  const asApp = async <T>(work: (database: Database) => Promise<T>) => {
    const database = await openDatabase({ backend: 'postgres', url: appUrl }, { schema: 'none', env: { HOME: home } });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };

  it('the application role cannot migrate, and before the grant cannot read: exit 8 naming the missing privilege', async () => {
    const migrate = await clinic(appUrl, ['db', 'migrate', '--json']);
    expect(migrate.code).toBe(8);
    expect(JSON.parse(migrate.stderr).error.message).toMatch(/lacks a privilege.*permission denied for schema public/);
    expect(migrate.stderr).not.toMatch(/CREATE|SELECT|INSERT/);

    expect((await clinic(ownerUrl, ['db', 'migrate'])).code).toBe(0);
    const status = await clinic(appUrl, ['db', 'status', '--json']);
    expect(status.code).toBe(8);
    expect(JSON.parse(status.stderr).error.remedy).toMatch(/clinic db grant ROLE/);
  });

  it('db grant refuses unknown roles, the owner itself and superusers', async () => {
    expect((await clinic(ownerUrl, ['db', 'grant', 'no_such_role'])).code).toBe(6);
    expect((await clinic(ownerUrl, ['db', 'grant', 'clinic_owner'])).code).toBe(3);
    expect((await clinic(ownerUrl, ['db', 'grant', 'postgres'])).code).toBe(3);
  });

  it('after db grant, clinic works as the application role', async () => {
    const grant = await clinic(ownerUrl, ['db', 'grant', 'clinic_app', '--json']);
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.json<{ appendOnly: string[]; readOnly: string[] }>()).toMatchObject({
      appendOnly: ['audit_log'],
      readOnly: ['audit_log_chain_head', 'knex_migrations'],
    });
    // granting twice gives the same, exact privileges; the application role cannot grant
    expect((await clinic(ownerUrl, ['db', 'grant', 'clinic_app'])).code).toBe(0);
    expect((await clinic(appUrl, ['db', 'grant', 'clinic_app'])).code).toBe(5);

    const steps: Array<[string[], string?]> = [
      [['init', '--timezone', 'Europe/Lisbon', '--admin-username', 'boss', '--admin-password-stdin'], `${ADMIN_PASSWORD}\n`],
      [['users', 'create', '--username', 'clerk', '--name', 'Clerk', '--role', 'staff']],
      [['doctors', 'add', '--username', 'dr.silva', '--name', 'Ana Silva', '--specialty', 'cardiology']],
      [['patients', 'add', '--username', 'joao.p', '--name', 'João Pereira', '--doctor', 'dr.silva']],
      [['appointments', 'book', '--patient', 'joao.p', '--doctor', 'dr.silva', '--next-available', '--approve']],
      [['appointments', 'list', '--json']],
      [['audit', 'list', '--json']],
      [['logout']],
      [['login', '--username', 'boss', '--password-stdin'], `${ADMIN_PASSWORD}\n`],
    ];
    for (const [args, stdin] of steps) {
      const result = await clinic(appUrl, args, stdin);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
  });

  it('the application role can neither change, delete, truncate nor silence the audit log', async () => {
    const before = await asApp(async (database) => (await database.knex('audit_log').count<Array<{ count: number }>>('* as count'))[0]!.count);
    expect(before).toBeGreaterThan(0);
    const attacks = [
      "UPDATE audit_log SET action = 'nothing happened'",
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
      'ALTER TABLE audit_log DISABLE TRIGGER ALL',
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete',
      'DROP TABLE audit_log',
      'UPDATE audit_log_chain_head SET seq = 0',
      'DELETE FROM audit_log_chain_head',
    ];
    for (const attack of attacks) {
      await expect(
        asApp((database) => database.knex.raw(attack)),
        attack,
      ).rejects.toMatchObject({ code: '42501' });
    }
    const after = await asApp(async (database) => (await database.knex('audit_log').count<Array<{ count: number }>>('* as count'))[0]!.count);
    expect(after).toBe(before);
    // appending is what it may do
    await asApp((database) => database.knex('audit_log').insert({ action: 'test.append', outcome: 'success' }));
    // and the chain it appends to is still whole, checked as the application role
    const verify = await clinic(appUrl, ['audit', 'verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  });
});
