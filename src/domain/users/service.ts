import type { Knex } from 'knex';
import { USER_STATUSES, type UserStatus } from '../../db/schema-values.js';
import type { DomainContext } from '../context.js';
import { ConflictError, NotAuthenticatedError, ValidationError } from '../errors.js';
import { noSuch } from '../references.js';
import { requireActor, type Actor, type Role } from '../policy.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '../identity/passwords.js';
import { endAllCredentials } from '../identity/sessions.js';
import { countPasswordFailure, isLocked } from '../identity/login.js';
import {
  countActiveAdmins,
  findCredentialsById,
  findUserByRef,
  listUsers as listUserRows,
  lockUsersForAdminChange,
  updateUser,
  type UserRow,
  type UpdatedUserRow,
} from '../../db/repositories/users.js';
import { createAccount, emailSchema, fullNameSchema } from './accounts.js';
import { parseWith } from '../validation.js';
import { userView, type UserView } from './view.js';

/** `users create` and `users update --role` handle clinic accounts; doctors and patients have their own commands. */
export const ACCOUNT_ROLES = ['admin', 'staff'] as const satisfies readonly Role[];

function parseAccountRole(value: string): (typeof ACCOUNT_ROLES)[number] {
  const role = value.trim().toLowerCase();
  if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) {
    throw new ValidationError(`Invalid role "${value}": users create and update take admin or staff.`, {
      remedy: 'Add doctors with `clinic doctors add` and patients with `clinic patients add`.',
    });
  }
  return role as (typeof ACCOUNT_ROLES)[number];
}

async function findUserOrFail(db: Knex, ref: string): Promise<UserRow> {
  const user = await findUserByRef(db, ref.trim());
  if (!user) throw noSuch('user', ref);
  return user;
}

/** The last active admin must stay: without one, nobody could manage users or settings. */
async function assertAnotherActiveAdmin(trx: Knex, user: UserRow, what: string): Promise<void> {
  if (user.role !== 'admin' || user.status !== 'active') return;
  if ((await countActiveAdmins(trx, user.id)) === 0) {
    throw new ConflictError(`Cannot ${what} "${user.username}": it is the last active admin.`, { remedy: 'Create or enable another admin first.' });
  }
}

export interface CreateUserInput {
  username: string;
  fullName: string;
  role: string;
  email?: string | undefined;
  /** Omitted: the account cannot log in until `users passwd` sets one. */
  password?: string | undefined;
}

export async function createUser(ctx: DomainContext, input: CreateUserInput): Promise<UserView> {
  const role = parseAccountRole(input.role);
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'users.manage', {}, { entity: 'user', details: { username: input.username } });
  const row = await inTransaction(ctx, async (trx) => {
    const created = await createAccount(trx, { username: input.username, fullName: input.fullName, email: input.email, role, password: input.password });
    await recordAudit(trx, actor, {
      action: 'users.create',
      entity: 'user',
      entityId: created.id,
      details: { username: created.username, role, withPassword: input.password !== undefined },
    });
    return created;
  });
  return userView(row);
}

export async function listUsers(ctx: DomainContext, filter: { role?: string | undefined; status?: string | undefined } = {}): Promise<UserView[]> {
  const role = filter.role === undefined ? undefined : filter.role.trim().toLowerCase();
  if (role !== undefined && !['admin', 'staff', 'doctor', 'patient'].includes(role)) {
    throw new ValidationError(`Invalid --role "${filter.role}": use admin, staff, doctor or patient.`);
  }
  const status = filter.status === undefined ? undefined : filter.status.trim().toLowerCase();
  if (status !== undefined && !(USER_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError(`Invalid --status "${filter.status}": use active or disabled.`);
  }
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'users.manage', {}, { entity: 'user' });
  const rows = await listUserRows(ctx.db, { ...(role ? { role: role as Role } : {}), ...(status ? { status: status as UserStatus } : {}) });
  return rows.map(userView);
}

/** An admin sees anyone; everyone sees their own account. */
export async function showUser(ctx: DomainContext, input: { user: string }): Promise<UserView> {
  const actor = requireActor(ctx.actor);
  const user = await findUserByRef(ctx.db, input.user.trim());
  await authorize(ctx, actor, 'users.read', { userId: user?.id ?? input.user }, { entity: 'user', entityId: user?.id ?? input.user });
  if (!user) throw noSuch('user', input.user);
  return userView(user);
}

export interface UpdateUserInput {
  user: string;
  fullName?: string | undefined;
  /** null clears the address */
  email?: string | null | undefined;
  role?: string | undefined;
}

/**
 * Name, email, and the role between admin and staff. The username never changes (audit rows and
 * scripts refer to it), and doctors and patients keep their role (their profiles depend on it).
 */
export async function updateUserAccount(ctx: DomainContext, input: UpdateUserInput): Promise<UserView> {
  const changes: UpdatedUserRow = {};
  if (input.fullName !== undefined) changes.full_name = parseWith(fullNameSchema, input.fullName, 'name');
  if (input.email !== undefined) changes.email = input.email === null || input.email.trim() === '' ? null : parseWith(emailSchema, input.email, 'email');
  const role = input.role === undefined ? undefined : parseAccountRole(input.role);
  if (Object.keys(changes).length === 0 && role === undefined) {
    throw new ValidationError('Nothing to change.', { remedy: 'Give --name, --email, --no-email or --role.' });
  }
  const actor = requireActor(ctx.actor);
  await authorize(ctx, actor, 'users.manage', {}, { entity: 'user', entityId: input.user });
  const row = await inTransaction(ctx, async (trx) => {
    if (role !== undefined) await lockUsersForAdminChange(trx);
    const user = await findUserOrFail(trx, input.user);
    if (role !== undefined && role !== user.role) {
      if (!(ACCOUNT_ROLES as readonly string[]).includes(user.role)) {
        throw new ConflictError(`"${user.username}" is a ${user.role}; only admin and staff accounts change role.`);
      }
      if (role !== 'admin') await assertAnotherActiveAdmin(trx, user, 'demote');
      changes.role = role;
    }
    const updated = await updateUser(trx, user.id, changes);
    await recordAudit(trx, actor, {
      action: 'users.update',
      entity: 'user',
      entityId: user.id,
      details: { username: user.username, fields: Object.keys(changes) },
    });
    return updated;
  });
  return userView(row);
}

export interface StatusChange {
  user: UserView;
  changed: boolean;
  endedSessions: number;
  revokedTokens: number;
}

/** Disabling ends the user's sessions and tokens at once; the last active admin cannot be disabled. */
export async function disableUser(ctx: DomainContext, input: { user: string }): Promise<StatusChange> {
  return setStatus(ctx, input.user, 'disabled');
}

/** Enabling also clears a lockout. Old sessions and tokens stay ended. */
export async function enableUser(ctx: DomainContext, input: { user: string }): Promise<StatusChange> {
  return setStatus(ctx, input.user, 'active');
}

async function setStatus(ctx: DomainContext, ref: string, status: UserStatus): Promise<StatusChange> {
  const actor = requireActor(ctx.actor);
  const action = status === 'disabled' ? 'users.disable' : 'users.enable';
  await authorize(ctx, actor, 'users.manage', {}, { entity: 'user', entityId: ref });
  return inTransaction(ctx, async (trx) => {
    if (status === 'disabled') await lockUsersForAdminChange(trx);
    const user = await findUserOrFail(trx, ref);
    if (user.status === status) return { user: userView(user), changed: false, endedSessions: 0, revokedTokens: 0 };
    if (status === 'disabled') await assertAnotherActiveAdmin(trx, user, 'disable');
    const now = ctx.now();
    const updated = await updateUser(
      trx,
      user.id,
      status === 'active' ? { status, failed_login_count: 0, first_failed_login_at: null, locked_until: null } : { status },
    );
    const ended = status === 'disabled' ? await endAllCredentials(trx, user.id, now) : { sessions: 0, tokens: 0 };
    await recordAudit(trx, actor, {
      action,
      entity: 'user',
      entityId: user.id,
      details: { username: user.username, endedSessions: ended.sessions, revokedTokens: ended.tokens },
    });
    return { user: userView(updated), changed: true, endedSessions: ended.sessions, revokedTokens: ended.tokens };
  });
}

export interface PasswordChangeSecrets {
  newPassword: string;
  /** required when changing one's own password */
  currentPassword?: string | undefined;
}

export interface ChangePasswordInput {
  /** omitted: the actor's own account */
  user?: string | undefined;
  /**
   * Asked once the change is allowed: the new password and, for one's own account
   * (`needsCurrent`), the current one.
   */
  secrets: (
    needsCurrent: boolean,
    owner: { username: string; fullName: string; email?: string | undefined },
  ) => PasswordChangeSecrets | Promise<PasswordChangeSecrets>;
}

export interface PasswordChange extends StatusChange {
  /** the actor changed their own password, so their own session ended too */
  ownAccount: boolean;
}

/**
 * Yourself (with the current password), or an admin for anyone. Every session and token of the
 * user ends at once, the caller's own too; a lockout is cleared. Nobody is asked for a password
 * before the change is known to be allowed.
 */
export async function changePassword(ctx: DomainContext, input: ChangePasswordInput): Promise<PasswordChange> {
  const actor = requireActor(ctx.actor);
  const target = input.user === undefined ? await findUserOrFail(ctx.db, actor.id) : await findUserByRef(ctx.db, input.user.trim());
  await authorize(ctx, actor, 'users.passwd', { userId: target?.id ?? input.user ?? actor.id }, { entity: 'user', entityId: target?.id ?? input.user ?? null });
  if (!target) throw noSuch('user', input.user ?? actor.username);
  const ownAccount = target.id === actor.id;
  const { newPassword, currentPassword } = await input.secrets(ownAccount, {
    username: target.username,
    fullName: target.full_name,
    ...(target.email ? { email: target.email } : {}),
  });
  if (ownAccount) await assertCurrentPassword(ctx, actor, currentPassword);
  await assertAcceptablePassword(newPassword, { username: target.username, fullName: target.full_name, email: target.email });
  const hash = await hashPassword(newPassword);
  return inTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const updated = await updateUser(trx, target.id, {
      password_hash: hash,
      password_changed_at: now,
      failed_login_count: 0,
      first_failed_login_at: null,
      locked_until: null,
    });
    const ended = await endAllCredentials(trx, target.id, now);
    await recordAudit(trx, actor, {
      action: 'users.passwd',
      entity: 'user',
      entityId: target.id,
      details: { username: target.username, endedSessions: ended.sessions, revokedTokens: ended.tokens },
    });
    return { user: userView(updated), changed: true, endedSessions: ended.sessions, revokedTokens: ended.tokens, ownAccount };
  });
}

/**
 * The current password counts toward the login lockout: a session or a token must not be a way
 * to guess it without limit. A locked account fails like a wrong password (as at login).
 */
async function assertCurrentPassword(ctx: DomainContext, actor: Actor, currentPassword: string | undefined): Promise<void> {
  const credentials = await findCredentialsById(ctx.db, actor.id);
  if (!credentials?.password_hash) return; // an account without a password (made by a script) sets its first one
  const matches = await verifyPassword(currentPassword ?? '', credentials.password_hash);
  const now = ctx.now();
  const reason = isLocked(credentials, now) ? 'locked' : matches && currentPassword !== undefined ? null : 'wrong_current_password';
  if (!reason) return;
  await inTransaction(ctx, async (trx) => {
    if (reason === 'wrong_current_password') await countPasswordFailure(trx, actor.id, now);
    await recordAudit(trx, actor, { action: 'users.passwd', outcome: 'failure', entity: 'user', entityId: actor.id, details: { reason } });
  });
  throw new NotAuthenticatedError('The current password was not accepted: it is wrong, or the account is locked after too many failures.', {
    remedy: 'Give your current password, then the new one; after 5 failures wait 15 minutes.',
  });
}
