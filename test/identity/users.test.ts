import { beforeAll, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/policy.js';
import { changePassword } from '../../src/domain/users/service.js';
import { makeAdmin, makeDoctor, OTHER_PASSWORD, PASSWORD } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { runCli } from '../support/cli.js';
import { configHome, terminal } from './helpers.js';

const USER_FIELDS = ['id', 'username', 'fullName', 'email', 'role', 'status', 'createdAt', 'updatedAt'].sort();

describeBackends('users', (db) => {
  const env = configHome();
  const cli = terminal(() => db().database, env);
  let admin: Actor;
  const as = (actor: Actor, args: string[], stdin?: string) => runCli(args, { database: db().database, actor, ...(stdin !== undefined ? { stdin } : {}) });

  beforeAll(async () => {
    const made = await makeAdmin(db().knex, { password: PASSWORD });
    admin = { id: made.id, username: made.username, role: 'admin' };
  });

  it('creates a staff account with a password from stdin; JSON has exactly the user fields', async () => {
    const result = await as(
      admin,
      ['users', 'create', '--username', 'Front.Desk', '--name', 'Front Desk', '--role', 'staff', '--email', 'desk@clinic.test', '--password-stdin', '--json'],
      `${OTHER_PASSWORD}\n`,
    );
    expect(result.code).toBe(0);
    const user = result.json<Record<string, unknown>>();
    expect(Object.keys(user).sort()).toEqual(USER_FIELDS);
    expect(user).toMatchObject({ username: 'front.desk', fullName: 'Front Desk', role: 'staff', status: 'active', email: 'desk@clinic.test' });
    const row = await db().knex('users').where({ username: 'front.desk' }).first();
    expect(row.password_hash).toMatch(/^\$2[aby]\$12\$/);
    const audit = await db().knex('audit_log').where({ action: 'users.create', entity_id: row.id }).first();
    expect(JSON.stringify(audit)).not.toContain(OTHER_PASSWORD);
  });

  it('rejects a weak password (3), a taken username (7), and a doctor role (3)', async () => {
    expect((await as(admin, ['users', 'create', '--username', 'weakling', '--name', 'W', '--role', 'staff', '--password-stdin'], 'password1\n')).code).toBe(3);
    expect((await as(admin, ['users', 'create', '--username', 'front.desk', '--name', 'F', '--role', 'staff'])).code).toBe(7);
    expect((await as(admin, ['users', 'create', '--username', 'doc', '--name', 'D', '--role', 'doctor'])).code).toBe(2);
  });

  it('lists with filters, shows by username or id', async () => {
    const list = await as(admin, ['users', 'list', '--role', 'staff', '--status', 'active', '--json']);
    expect(list.code).toBe(0);
    const users = list.json<Array<{ username: string; role: string }>>();
    expect(users.map((u) => u.username)).toContain('front.desk');
    expect(users.every((u) => u.role === 'staff')).toBe(true);
    const byName = await as(admin, ['users', 'show', 'front.desk', '--json']);
    const id = byName.json<{ id: string }>().id;
    expect((await as(admin, ['users', 'show', id, '--json'])).json()).toEqual(byName.json());
    expect((await as(admin, ['users', 'show', 'no-such-user'])).code).toBe(6);
  });

  it('updates name, email (and clears it) and the admin/staff role, never the username', async () => {
    const updated = await as(admin, ['users', 'update', 'front.desk', '--name', 'Reception', '--email', 'r@clinic.test', '--json']);
    expect(updated.code).toBe(0);
    expect(updated.json()).toMatchObject({ fullName: 'Reception', email: 'r@clinic.test', username: 'front.desk' });
    expect((await as(admin, ['users', 'update', 'front.desk', '--no-email', '--json'])).json()).toMatchObject({ email: null });
    expect((await as(admin, ['users', 'update', 'front.desk', '--role', 'admin', '--json'])).json()).toMatchObject({ role: 'admin' });
    expect((await as(admin, ['users', 'update', 'front.desk', '--role', 'staff', '--json'])).json()).toMatchObject({ role: 'staff' });
    expect((await as(admin, ['users', 'update', 'front.desk'])).code).toBe(3);
    const doctor = await makeDoctor(db().knex);
    expect((await as(admin, ['users', 'update', doctor.username, '--role', 'staff'])).code).toBe(7);
  });

  it('never disables or demotes the last active admin (exit 7)', async () => {
    const only = await db().knex('users').where({ role: 'admin', status: 'active' });
    expect(only).toHaveLength(1);
    const disable = await as(admin, ['users', 'disable', admin.username]);
    expect(disable.code).toBe(7);
    expect(disable.stderr).toContain('last active admin');
    expect((await as(admin, ['users', 'update', admin.username, '--role', 'staff'])).code).toBe(7);
    const second = await makeAdmin(db().knex);
    expect((await as(admin, ['users', 'disable', second.username])).code).toBe(0);
    expect((await as(admin, ['users', 'disable', admin.username])).code).toBe(7);
  });

  it("disabling ends the user's sessions and tokens at once; enabling does not bring them back", async () => {
    const login = await cli(['login', '--username', 'front.desk', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n` });
    expect(login.code).toBe(0);
    const token = (await cli(['tokens', 'create', '--name', 'script', '--json'])).json<{ token: string }>().token;
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: token } })).code).toBe(0);

    // Without --json, so that the notice is printed (with --json, stderr stays empty on success).
    const disabled = await as(admin, ['users', 'disable', 'front.desk']);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/status\s+disabled/);
    expect(disabled.stderr).toContain('ended 1 session(s) and revoked 1 API token(s)');
    const user = await db().knex('users').where({ username: 'front.desk' }).first();
    const audit = await db().knex('audit_log').where({ action: 'users.disable', entity_id: user.id }).first();
    expect(audit.details).toMatchObject({ endedSessions: 1, revokedTokens: 1 });
    expect(await db().knex('sessions').where({ user_id: user.id }).whereNull('ended_at')).toHaveLength(0);
    expect(await db().knex('api_tokens').where({ user_id: user.id }).whereNull('revoked_at')).toHaveLength(0);
    expect((await cli(['whoami'])).code).toBe(4);
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: token } })).code).toBe(4);

    expect((await as(admin, ['users', 'enable', 'front.desk'])).code).toBe(0);
    expect((await cli(['whoami'])).code).toBe(4);
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: token } })).code).toBe(4);
  });

  it('passwd: self needs the current password (two stdin lines) and ends every session of that user', async () => {
    expect((await cli(['login', '--username', 'front.desk', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n` })).code).toBe(0);
    const oneLine = await cli(['users', 'passwd', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(oneLine.code).toBe(2);
    const wrong = await cli(['users', 'passwd', '--password-stdin'], { stdin: `not the password\n${PASSWORD}\n` });
    expect(wrong.code).toBe(4);
    expect((await cli(['whoami'])).code).toBe(0);
    const changed = await cli(['users', 'passwd', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n${PASSWORD}\n` });
    expect(changed.code).toBe(0);
    expect(changed.stderr).toContain('clinic login');
    expect((await cli(['whoami'])).code).toBe(4);
    expect((await cli(['login', '--username', 'front.desk', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n` })).code).toBe(4);
    expect((await cli(['login', '--username', 'front.desk', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
  });

  it("passwd: an admin sets another user's password with one line, ending that user's sessions and tokens", async () => {
    const token = (await cli(['tokens', 'create', '--name', 'again', '--json'])).json<{ token: string }>().token;
    const result = await as(admin, ['users', 'passwd', 'front.desk', '--password-stdin'], `${OTHER_PASSWORD}\n`);
    expect(result.code).toBe(0);
    expect((await cli(['whoami'])).code).toBe(4);
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: token } })).code).toBe(4);
    const user = await db().knex('users').where({ username: 'front.desk' }).first();
    expect((await db().knex('audit_log').where({ action: 'users.passwd', entity_id: user.id, outcome: 'success' })).length).toBeGreaterThan(0);
  });

  it("passwd: two lines for another user's password is a usage error, not the first line set as the password", async () => {
    const before = (await db().knex('users').where({ username: 'front.desk' }).first()).password_hash;
    // A script written for one's own account (current, then new) run for someone else.
    const result = await as(admin, ['users', 'passwd', 'front.desk', '--password-stdin'], `${PASSWORD}\n${OTHER_PASSWORD}\n`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--password-stdin takes one line, the password; stdin holds 2 lines.');
    expect((await db().knex('users').where({ username: 'front.desk' }).first()).password_hash).toBe(before);
    expect((await cli(['login', '--username', 'front.desk', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n` })).code).toBe(0);
    const own = await cli(['users', 'passwd', '--password-stdin'], { stdin: `${OTHER_PASSWORD}\n${PASSWORD}\nthird\n` });
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('2 lines: your current password, then the new one');
  });

  it("passwd: nobody is asked for a password before the change is allowed; one's own needs the current one", async () => {
    const doctor = await makeDoctor(db().knex, { password: PASSWORD });
    const asked: boolean[] = [];
    const secrets = (needsCurrent: boolean) => {
      asked.push(needsCurrent);
      return { currentPassword: PASSWORD, newPassword: OTHER_PASSWORD };
    };
    await expect(changePassword(db().context(doctor), { user: admin.username, secrets })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(changePassword(db().context(admin), { user: 'nobody.here', secrets })).rejects.toBeInstanceOf(NotFoundError);
    expect(asked).toEqual([]);
    const own = await changePassword(db().context(doctor), { secrets });
    expect(own).toMatchObject({ ownAccount: true, changed: true });
    const other = await changePassword(db().context(admin), { user: doctor.username, secrets });
    expect(other).toMatchObject({ ownAccount: false, changed: true });
    expect(asked).toEqual([true, false]);
  });
});
