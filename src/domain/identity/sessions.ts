import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { NotAuthenticatedError } from '../errors.js';
import type { Actor } from '../policy.js';
import { recordAudit } from '../audit/record.js';
import { loadSettings, settingsFromRows, type ClinicSettings } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import {
  endSession,
  endSessionsOfUser,
  findSessionByTokenHash,
  findSessionToResume,
  insertSession,
  touchSession,
  type SessionRow,
} from '../../db/repositories/sessions.js';
import { revokeApiTokensOfUser } from '../../db/repositories/api-tokens.js';
import { findUserById, type UserRow } from '../../db/repositories/users.js';
import type { Authentication } from './authentication.js';
import { hashToken, newSessionToken } from './secrets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * A use within this long of the session's last recorded one does not write it again: a script's
 * thousand commands a minute are not a thousand updates. The idle limit then ends at most this
 * much earlier than the last use would have put it, never later.
 */
const TOUCH_EVERY_MS = MINUTE;

const notLoggedIn = () => new NotAuthenticatedError('Not logged in.', { remedy: 'Run `clinic login`.' });
const expired = () => new NotAuthenticatedError('Session expired.', { remedy: 'Run `clinic login`.' });

type Limits = Pick<ClinicSettings, 'sessionIdleMinutes' | 'sessionAbsoluteHours'>;

/** The moment a session ends: idle since it was last seen, or its absolute limit, whichever is first. */
function sessionEnd(session: Pick<SessionRow, 'created_at' | 'last_seen_at'>, limits: Limits): Date {
  const idle = session.last_seen_at.getTime() + limits.sessionIdleMinutes * MINUTE;
  const absolute = session.created_at.getTime() + limits.sessionAbsoluteHours * HOUR;
  return new Date(Math.min(idle, absolute));
}

export function actorOf(user: Pick<UserRow, 'id' | 'username' | 'role'>): Actor {
  return { id: user.id, username: user.username, role: user.role };
}

export interface NewSession {
  token: string;
  expiresAt: Date;
}

/** A new session for a user who has just proved who they are (login, init); inside the caller's transaction. */
export async function startSession(trx: Knex, userId: string, now: Date): Promise<NewSession> {
  const limits = await loadSettings({ db: trx });
  const token = newSessionToken();
  const expiresAt = sessionEnd({ created_at: now, last_seen_at: now }, limits);
  await insertSession(trx, { user_id: userId, token_hash: hashToken(token), created_at: now, last_seen_at: now, expires_at: expiresAt });
  return { token, expiresAt };
}

/**
 * The actor behind a session token, if the session is open, within its idle and absolute limits
 * (today's settings), and its user is active. Each use slides the idle window.
 */
export async function resumeSession(ctx: DomainContext, token: string): Promise<Authentication> {
  // One statement (the session with its user and the settings), and the touch when it is due.
  const found = await findSessionToResume(ctx.db, hashToken(token));
  if (!found) throw notLoggedIn();
  const { session, user } = found;
  const now = ctx.now();
  const settings = settingsFromRows(found.settings);
  const recordedEnd = sessionEnd(session, settings);
  // Ended by logout, a password change or disabling the account, or past its limits: log in again.
  if (session.ended_at || now.getTime() >= recordedEnd.getTime()) throw expired();
  if (!user || user.status !== 'active') throw expired();
  let expiresAt = recordedEnd;
  if (now.getTime() - session.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    expiresAt = sessionEnd({ created_at: session.created_at, last_seen_at: now }, settings);
    await touchSession(ctx.db, session.id, now, expiresAt);
  }
  return { actor: actorOf(user), method: 'session', expiresAt, settings };
}

/** Ends the session of this token; expired sessions end quietly too. Returns who was logged in. */
export async function logout(ctx: DomainContext, token: string): Promise<{ username: string } | null> {
  const session = await findSessionByTokenHash(ctx.db, hashToken(token));
  if (!session) return null;
  const user = await findUserById(ctx.db, session.user_id);
  await inTransaction(ctx, async (trx) => {
    await endSession(trx, session.id, ctx.now());
    if (!session.ended_at && user) {
      await recordAudit(trx, actorOf(user), { action: 'session.logout', entity: 'session', entityId: session.id });
    }
  });
  return user ? { username: user.username } : null;
}

/** Disabling a user or changing a password: every session and token of theirs stops working now. */
export async function endAllCredentials(trx: Knex, userId: string, now: Date): Promise<{ sessions: number; tokens: number }> {
  const sessions = await endSessionsOfUser(trx, userId, now);
  const tokens = await revokeApiTokensOfUser(trx, userId, now);
  return { sessions, tokens };
}
