import { expect, it } from 'vitest';
import { NotAuthenticatedError } from '../../src/domain/errors.js';
import { login } from '../../src/domain/identity/login.js';
import { describeBackends } from '../support/database.js';
import { makeStaff, PASSWORD } from '../support/factories.js';

const WRONG = 'not the password at all';

/** 20 bcrypt comparisons at cost 12 per backend: too slow for the default suite. */
describeBackends('lockout under parallel login attempts', (db) => {
  const credentials = (username: string) => db().knex('users').where({ username }).first();

  it('20 wrong passwords fired at once lock the account; the right one is then refused', async () => {
    const staff = await makeStaff(db().knex, { password: PASSWORD });
    const ctx = db().context();
    const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => login(ctx, { username: staff.username, password: WRONG })));
    expect(attempts.every((attempt) => attempt.status === 'rejected' && attempt.reason instanceof NotAuthenticatedError)).toBe(true);
    expect((await credentials(staff.username)).locked_until?.getTime()).toBeGreaterThan(Date.now());
    await expect(login(ctx, { username: staff.username, password: PASSWORD })).rejects.toBeInstanceOf(NotAuthenticatedError);
  });
});
