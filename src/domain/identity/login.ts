import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { NotAuthenticatedError } from '../errors.js';
import { recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { clearLoginFailures, countFailedLogin, findCredentialsByUsername, type UserCredentialRow } from '../../db/repositories/users.js';
import { userView, type UserView } from '../users/view.js';
import { verifyPassword } from './passwords.js';
import { actorOf, startSession } from './sessions.js';
import { hashToken, unknownUsernameDigest } from './secrets.js';
import { endSession, findSessionToResume } from '../../db/repositories/sessions.js';

/** DESIGN §6: five failures within 15 minutes lock the account for 15 minutes. */
export const LOCKOUT = { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 } as const;
const MINUTE = 60_000;

/**
 * Compared against when the username is unknown or has no password, so that every failure costs
 * one bcrypt comparison at cost 12 (it is the hash of a random string nobody knows).
 */
const DUMMY_HASH = '$2b$12$K4fqvcSy2FRoF/MII6NPFeqWq6WTnlGhWSqqXAeOc77NZgXAdxJvG';

/** One message for unknown user, wrong password, locked and disabled accounts. */
export const LOGIN_FAILED_MESSAGE = 'Login failed: wrong username or password, or the account cannot log in now.';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: UserView;
  /** who the replaced session (`replacesToken`) belonged to, when it was still open */
  replaced: { username: string; role: string } | null;
}

type FailureReason = 'unknown_user' | 'no_password' | 'wrong_password' | 'locked' | 'disabled';

export interface LoginInput {
  username: string;
  password: string;
  /** the terminal's previous session, ended when the new one starts */
  replacesToken?: string | undefined;
}

/** Checks the password (same message and about the same time for every failure) and starts a session. */
export async function login(ctx: DomainContext, input: LoginInput): Promise<LoginResult> {
  const username = input.username.trim().toLowerCase();
  const user = username === '' ? undefined : await findCredentialsByUsername(ctx.db, username);
  const now = ctx.now();
  const matches = await verifyPassword(input.password, user?.password_hash ?? DUMMY_HASH);
  const reason = failureReason(user, matches, now);
  if (reason) return failLogin(ctx, username, user, reason);
  const account = user!;
  const started = await inTransaction(ctx, async (trx) => {
    // Failures that arrived while this password was being compared may have locked the account.
    if (!(await clearLoginFailures(trx, account.id, now))) return undefined;
    let replaced: LoginResult['replaced'] = null;
    if (input.replacesToken) {
      const previous = await findSessionToResume(trx, hashToken(input.replacesToken));
      if (previous && previous.session.ended_at === null) {
        await endSession(trx, previous.session.id, now);
        if (previous.session.expires_at > now && previous.user) replaced = { username: previous.user.username, role: previous.user.role };
      }
    }
    const session = await startSession(trx, account.id, now);
    await recordAudit(trx, actorOf(account), { action: 'session.login', entity: 'user', entityId: account.id });
    return { ...session, user: userView(account), replaced };
  });
  return started ?? failLogin(ctx, username, account, 'locked');
}

async function failLogin(ctx: DomainContext, username: string, user: UserCredentialRow | undefined, reason: FailureReason): Promise<never> {
  await inTransaction(ctx, async (trx) => {
    if (user && reason === 'wrong_password') await countPasswordFailure(trx, user.id, ctx.now());
    await recordAudit(trx, null, {
      action: 'session.login',
      outcome: 'failure',
      // A name nobody has may be a password typed in the wrong field: only its digest is kept.
      actorUsername: user ? username : unknownUsernameDigest(username),
      entity: 'user',
      entityId: user?.id ?? null,
      details: { reason },
    });
  });
  throw new NotAuthenticatedError(LOGIN_FAILED_MESSAGE, { remedy: 'Check the username and password, or ask an admin. Run `clinic login` to try again.' });
}

/**
 * One wrong password for this account (at login, or as the current password of `users passwd`),
 * counted atomically: five within 15 minutes lock it, however they arrive.
 */
export async function countPasswordFailure(db: Knex, userId: string, now: Date): Promise<void> {
  await countFailedLogin(db, userId, {
    at: now,
    windowStart: new Date(now.getTime() - LOCKOUT.windowMinutes * MINUTE),
    maxFailures: LOCKOUT.maxFailures,
    lockUntil: new Date(now.getTime() + LOCKOUT.lockMinutes * MINUTE),
  });
}

export function isLocked(user: Pick<UserCredentialRow, 'locked_until'>, now: Date): boolean {
  return user.locked_until !== null && user.locked_until.getTime() > now.getTime();
}

function failureReason(user: UserCredentialRow | undefined, matches: boolean, now: Date): FailureReason | null {
  if (!user) return 'unknown_user';
  if (!user.password_hash) return 'no_password';
  if (isLocked(user, now)) return 'locked';
  if (!matches) return 'wrong_password';
  if (user.status !== 'active') return 'disabled';
  return null;
}
