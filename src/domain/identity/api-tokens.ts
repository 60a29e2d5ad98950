import { z } from 'zod';
import type { DomainContext } from '../context.js';
import { NotAuthenticatedError, NotFoundError, ValidationError, ConflictError } from '../errors.js';
import { requireActor, type Actor } from '../policy.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import {
  findApiTokenByHash,
  findApiTokensByIdPrefix,
  insertApiToken,
  listApiTokens,
  markApiTokenUsed,
  revokeApiToken,
  type ApiTokenListRow,
} from '../../db/repositories/api-tokens.js';
import { findUserById, findUserByRef } from '../../db/repositories/users.js';
import type { Authentication } from './authentication.js';
import { actorOf } from './sessions.js';
import { hashToken, newApiToken } from './secrets.js';
import { notFoundFor } from '../visibility.js';

/** An API token as commands show it; the secret itself is shown once, at creation. */
export interface ApiTokenView {
  id: string;
  name: string;
  userId: string;
  user: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function apiTokenView(row: ApiTokenListRow, now: Date): ApiTokenView {
  const status = row.revoked_at ? 'revoked' : row.expires_at && row.expires_at.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id,
    user: row.username,
    status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export const DEFAULT_TOKEN_LIFETIME = '90d';
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const MAX_LIFETIME_MS = 5 * 366 * 86_400_000;

/** `12h`, `30d`, `8w` or `never` → the expiry moment (null: never). */
export function parseExpiresIn(value: string, now: Date): Date | null {
  const text = value.trim().toLowerCase();
  if (text === 'never') return null;
  const match = /^(\d{1,5})([hdw])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0) || ms > MAX_LIFETIME_MS) {
    throw new ValidationError(`Invalid --expires-in "${value}".`, { remedy: 'Use hours, days or weeks such as 12h, 30d or 8w (at most 5 years), or `never`.' });
  }
  return new Date(now.getTime() + ms);
}

const nameSchema = z.string().trim().min(1, 'the name must not be empty').max(100, 'the name is at most 100 characters');

export interface CreatedApiToken {
  token: string;
  apiToken: ApiTokenView;
}

export async function createApiToken(ctx: DomainContext, input: { name: string; user?: string | undefined; expiresIn?: string | undefined }): Promise<CreatedApiToken> {
  const parsedName = nameSchema.safeParse(input.name);
  if (!parsedName.success) throw new ValidationError(`Invalid --name: ${parsedName.error.issues[0]?.message ?? 'invalid value'}.`);
  const now = ctx.now();
  const expiresAt = parseExpiresIn(input.expiresIn ?? DEFAULT_TOKEN_LIFETIME, now);
  const actor = requireActor(ctx.actor);
  const owner = await tokenOwner(ctx, actor, input.user, 'tokens.create');
  if (owner.status !== 'active') throw new ConflictError(`The account "${owner.username}" is disabled.`, { remedy: `Run \`clinic users enable ${owner.username}\` first.`, reason: 'ACCOUNT_DISABLED' });
  const token = newApiToken();
  const row = await inTransaction(ctx, async (trx) => {
    const created = await insertApiToken(trx, {
      user_id: owner.id,
      name: parsedName.data,
      token_hash: hashToken(token),
      created_by: actor.id,
      created_at: now,
      expires_at: expiresAt,
    });
    await recordAudit(trx, actor, {
      action: 'tokens.create',
      entity: 'api_token',
      entityId: created.id,
      details: { name: created.name, user: owner.username, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { token, apiToken: apiTokenView(row, now) };
}

/** Own tokens; an admin sees everybody's, or one user's with `user`. */
export async function listTokens(ctx: DomainContext, input: { user?: string | undefined } = {}): Promise<ApiTokenView[]> {
  const actor = requireActor(ctx.actor);
  let userId: string | undefined = actor.id;
  if (input.user !== undefined) userId = (await tokenOwner(ctx, actor, input.user, 'tokens.list')).id;
  else if (actor.role === 'admin') userId = undefined;
  const now = ctx.now();
  return (await listApiTokens(ctx.db, userId ? { userId } : {})).map((row) => apiTokenView(row, now));
}

export async function revokeToken(ctx: DomainContext, input: { id: string }): Promise<{ apiToken: ApiTokenView; alreadyRevoked: boolean }> {
  const actor = requireActor(ctx.actor);
  const ref = input.id.trim().toLowerCase();
  if (!/^[0-9a-f-]{8,36}$/.test(ref)) throw new ValidationError(`Invalid token id "${input.id}": give the id or at least its first 8 characters.`);
  const matches = await findApiTokensByIdPrefix(ctx.db, ref);
  // Someone else's token is "not found" for a non-admin, so ids of others' tokens cannot be probed.
  const visible = matches.filter((row) => row.user_id === actor.id || actor.role === 'admin');
  if (visible.length === 0) {
    throw await notFoundFor(ctx, actor, {
      kind: 'api_token',
      action: 'tokens.revoke',
      ref,
      existing: matches[0] ? { id: matches[0].id } : undefined,
      error: new NotFoundError(`No API token with id "${input.id}".`, { remedy: 'See `clinic tokens list`.' }),
    });
  }
  if (visible.length > 1) throw new ValidationError(`The id prefix "${input.id}" matches more than one token; give more characters.`);
  const row = visible[0]!;
  if (row.user_id !== actor.id) await authorize(ctx, actor, 'tokens.manageOthers', { userId: row.user_id }, { entity: 'api_token', entityId: row.id });
  const now = ctx.now();
  if (row.revoked_at) return { apiToken: apiTokenView(row, now), alreadyRevoked: true };
  await inTransaction(ctx, async (trx) => {
    await revokeApiToken(trx, row.id, now);
    await recordAudit(trx, actor, { action: 'tokens.revoke', entity: 'api_token', entityId: row.id, details: { name: row.name, user: row.username } });
  });
  return { apiToken: apiTokenView({ ...row, revoked_at: now }, now), alreadyRevoked: false };
}

/** The actor behind CLINIC_TOKEN: a live token of an active user; each use is noted. */
export async function authenticateApiToken(ctx: DomainContext, token: string): Promise<Authentication> {
  const row = await findApiTokenByHash(ctx.db, hashToken(token.trim()));
  const now = ctx.now();
  const user = row && !row.revoked_at && !(row.expires_at && row.expires_at.getTime() <= now.getTime()) ? await findUserById(ctx.db, row.user_id) : undefined;
  if (!row || !user || user.status !== 'active') {
    throw new NotAuthenticatedError('The API token in CLINIC_TOKEN is not valid: unknown, expired or revoked.', {
      remedy: 'Create a new one with `clinic tokens create`, or unset CLINIC_TOKEN and run `clinic login`.',
    });
  }
  await markApiTokenUsed(ctx.db, row.id, now);
  return { actor: actorOf(user), method: 'token', expiresAt: row.expires_at };
}

/** The user whose tokens these are: the actor, or (for an admin) someone named. */
async function tokenOwner(ctx: DomainContext, actor: Actor, ref: string | undefined, auditAction: string) {
  if (ref === undefined) {
    const self = await findUserById(ctx.db, actor.id);
    if (!self) throw new NotFoundError('Your account no longer exists.');
    return self;
  }
  const user = await findUserByRef(ctx.db, ref);
  if (user?.id === actor.id) return user;
  await authorize(ctx, actor, 'tokens.manageOthers', { userId: user?.id ?? ref }, { entity: 'user', entityId: user?.id ?? ref, details: { command: auditAction } });
  if (!user) throw new NotFoundError(`No user "${ref}".`, { remedy: 'See `clinic users list`.' });
  return user;
}
