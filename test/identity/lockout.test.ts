import { expect, it } from 'vitest';
import { countFailedLogin } from '../../src/db/repositories/users.js';
import { NotAuthenticatedError } from '../../src/domain/errors.js';
import { LOCKOUT, login } from '../../src/domain/identity/login.js';
import { changePassword } from '../../src/domain/users/service.js';
import { describeBackends } from '../support/database.js';
import { makeStaff, makeUser, OTHER_PASSWORD, PASSWORD } from '../support/factories.js';
import { minutes } from './helpers.js';

const WRONG = 'not the password at all';

describeBackends('lockout: atomic failure counting', (db) => {
  const credentials = (username: string) => db().knex('users').where({ username }).first();

  it('the counting statement: parallel failures all count, the fifth locks, failures while locked leave the lock alone', async () => {
    const user = await makeUser(db().knex, { role: 'staff' });
    const at = new Date('2030-01-01T10:00:00Z');
    const rule = { at, windowStart: new Date(at.getTime() - minutes(15)), maxFailures: LOCKOUT.maxFailures, lockUntil: new Date(at.getTime() + minutes(15)) };
    const four = await Promise.all(Array.from({ length: 4 }, () => countFailedLogin(db().knex, user.id, rule)));
    expect(four.map((state) => state?.failed_login_count).sort()).toEqual([1, 2, 3, 4]);
    expect(await countFailedLogin(db().knex, user.id, rule)).toEqual({ failed_login_count: 0, first_failed_login_at: null, locked_until: rule.lockUntil });
    const later = { ...rule, lockUntil: new Date(at.getTime() + minutes(60)) };
    expect(await countFailedLogin(db().knex, user.id, later)).toBeUndefined();
    expect((await credentials(user.username)).locked_until).toEqual(rule.lockUntil);
  });

  it('wrong current passwords of `users passwd` count toward the lockout, and a locked account cannot change its password', async () => {
    const staff = await makeStaff(db().knex, { password: PASSWORD });
    const ctx = db().context(staff);
    const change = (current: string) => changePassword(ctx, { secrets: () => ({ currentPassword: current, newPassword: OTHER_PASSWORD }) });
    const attempts = await Promise.allSettled(Array.from({ length: LOCKOUT.maxFailures }, () => change(WRONG)));
    expect(attempts.every((attempt) => attempt.status === 'rejected' && attempt.reason instanceof NotAuthenticatedError)).toBe(true);
    await expect(change(PASSWORD)).rejects.toBeInstanceOf(NotAuthenticatedError);
    await expect(login(db().context(), { username: staff.username, password: PASSWORD })).rejects.toBeInstanceOf(NotAuthenticatedError);
    const row = await credentials(staff.username);
    expect(row.locked_until?.getTime()).toBeGreaterThan(Date.now());
    const reasons = await db().knex('audit_log').where({ action: 'users.passwd', outcome: 'failure', entity_id: staff.id }).pluck('details');
    expect(reasons.map((details: unknown) => (typeof details === 'string' ? JSON.parse(details) : details).reason)).toContain('locked');
  });
});
