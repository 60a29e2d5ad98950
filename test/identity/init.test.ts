import fs from 'node:fs/promises';
import { expect, it } from 'vitest';
import { migrationStatus, rollbackLast } from '../../src/db/migrations.js';
import { sessionFilePath } from '../../src/cli/session-store.js';
import { describeBackends } from '../support/database.js';
import { configHome, terminal } from './helpers.js';
import { PASSWORD } from '../support/factories.js';

describeBackends('clinic init', (db) => {
  const env = configHome();
  const cli = terminal(() => db().database, env);

  it('starts from a database without a schema', async () => {
    await rollbackLast(db().knex, true);
    expect((await migrationStatus(db().knex)).applied).toEqual([]);
  });

  it('names the missing flag without a terminal (exit 2)', async () => {
    const noUser = await cli(['init', '--admin-password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('--admin-username');
    const badZone = await cli(['init', '--timezone', 'Mars/Olympus_Mons', '--admin-username', 'boss']);
    expect(badZone.code).toBe(3);
    expect(badZone.stderr).toContain('Unknown time zone');
    const noPassword = await cli(['init', '--admin-username', 'boss']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--admin-password-stdin');
  });

  it('migrates, stores the time zone, creates the first admin and logs the terminal in', async () => {
    const result = await cli(
      ['init', '--timezone', 'America/New_York', '--admin-username', 'boss', '--admin-name', 'Ana Boss', '--admin-password-stdin', '--json'],
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ timezone: 'America/New_York', admin: { username: 'boss', fullName: 'Ana Boss', role: 'admin', status: 'active' } });
    expect((await migrationStatus(db().knex)).pending).toEqual([]);
    expect(await db().knex('settings').where({ key: 'timezone' }).first()).toMatchObject({ value: 'America/New_York' });
    expect((await fs.stat(sessionFilePath(env(), db().target))).mode & 0o777).toBe(0o600);
    const whoami = await cli(['whoami', '--json']);
    expect(whoami.json()).toMatchObject({ username: 'boss', role: 'admin', authenticatedBy: 'session' });
    const actions = (await db().knex('audit_log').select('action').orderBy('id')).map((row: { action: string }) => row.action);
    expect(actions).toEqual(['clinic.init', 'users.create', 'session.login']);
  });

  it('refuses a second init once an admin exists (exit 7), before asking anything', async () => {
    const again = await cli(['init', '--admin-username', 'other']);
    expect(again.code).toBe(7);
    expect(again.stderr).toContain('clinic login');
    expect(await db().knex('users').where({ role: 'admin' })).toHaveLength(1);
  });
});
