import type { DomainContext } from '../context.js';
import { NotAuthenticatedError } from '../errors.js';
import { countMessages } from '../../db/repositories/messages.js';
import { findUserById } from '../../db/repositories/users.js';
import { userView, type UserView } from '../users/view.js';
import type { Authentication } from './authentication.js';

export interface WhoAmI extends UserView {
  authenticatedBy: Authentication['method'];
  /** the database this terminal is logged in to, as `db status` names it */
  database: string;
  /** when the session (or the API token) stops working; null: a token that never expires */
  sessionExpiresAt: Date | null;
  /** which stored session is in use: a terminal's, or the one of commands without a terminal; null with an API token */
  sessionScope: SessionScope | null;
  /** the terminal's device (/dev/pts/3) when the session belongs to one */
  terminal: string | null;
  unreadMessages: number;
}

export type SessionScope = 'terminal' | 'no-terminal';

/** Where the command runs: the database's name, and the terminal whose session it used (null: none). */
export interface WhoAmIWhere {
  database: string;
  terminal: string | null;
}

/** Everything `clinic whoami` shows, as one object (later fields are added here). */
export async function whoAmI(ctx: DomainContext, authentication: Authentication, where: WhoAmIWhere): Promise<WhoAmI> {
  const user = await findUserById(ctx.db, authentication.actor.id);
  if (!user) throw new NotAuthenticatedError('Your account no longer exists.', { remedy: 'Run `clinic login`.' });
  return {
    ...userView(user),
    authenticatedBy: authentication.method,
    database: where.database,
    sessionExpiresAt: authentication.expiresAt,
    sessionScope: authentication.method === 'token' ? null : where.terminal ? 'terminal' : 'no-terminal',
    terminal: authentication.method === 'token' ? null : where.terminal,
    unreadMessages: await countMessages(ctx.db, { receivedBy: user.id, unreadOnly: true }),
  };
}
