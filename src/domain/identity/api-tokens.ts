import { z } from 'zod';
import type { DomainContext } from '../context.js';
import { NotAuthenticatedError, NotFoundError, ValidationError, ConflictError } from '../errors.js';
import { apiTokenScope, requireActor, type Actor } from '../policy.js';
import { noSuch, resolveById } from '../references.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { parseWith } from '../validation.js';
import { durationMs } from '../durations.js';
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
const MAX_LIFETIME_MS = 5 * 366 * 86_400_000;

/** `15m`, `12h`, `30d`, `8w` or `never` → the expiry moment (null: never). */
export function parseExpiresIn(value: string, now: Date): Date | null {
  if (value.trim().toLowerCase() === 'never') return null;
  const ms = durationMs(value) ?? NaN;
  if (!(ms > 0) || ms > MAX_LIFETIME_MS) {
    throw new ValidationError(`Invalid --expires-in "${value}".`, {
      remedy: 'Use minutes, hours, days or weeks such as 15m, 12h, 30d or 8w (at most 5 years), or `never`.',
    });
  }
  return new Date(now.getTime() + ms);
}

const nameSchema = z.string().trim().min(1, 'the name must not be empty').max(100, 'the name is at most 100 characters');

export interface CreatedApiToken {
  token: string;
  apiToken: ApiTokenView;
}

export async function createApiToken(
  ctx: DomainContext,
  input: { name: string; user?: string | undefined; expiresIn?: string | undefined },
): Promise<CreatedApiToken> {
  const name = parseWith(nameSchema, input.name, '--name');
  const now = ctx.now();
  const expiresAt = parseExpiresIn(input.expiresIn ?? DEFAULT_TOKEN_LIFETIME, now);
  const actor = requireActor(ctx.actor);
  const owner = await tokenOwner(ctx, actor, input.user, 'tokens.create');
  if (owner.status !== 'active')
    throw new ConflictError(`The account "${owner.username}" is disabled.`, {
      remedy: `Run \`clinic users enable ${owner.username}\` first.`,
      reason: 'ACCOUNT_DISABLED',
    });
  const token = newApiToken();
  const row = await inTransaction(ctx, async (trx) => {
    const created = await insertApiToken(trx, {
      user_id: owner.id,
      name,
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
  const scope = input.user === undefined ? apiTokenScope(actor) : { userId: (await tokenOwner(ctx, actor, input.user, 'tokens.list')).id };
  const now = ctx.now();
  return (await listApiTokens(ctx.db, scope)).map((row) => apiTokenView(row, now));
}

export async function revokeToken(ctx: DomainContext, input: { id: string }): Promise<{ apiToken: ApiTokenView; alreadyRevoked: boolean }> {
  const actor = requireActor(ctx.actor);
  // Someone else's token is "not found" for a non-admin, so ids of others' tokens cannot be probed.
  const row = await resolveById(ctx, actor, input.id, {
    kind: 'api_token',
    action: 'tokens.revoke',
    find: (prefix, reach, limit) => findApiTokensByIdPrefix(ctx.db, prefix, reach === 'visible' ? apiTokenScope(actor) : {}, limit),
    audited: (token) => ({ id: token.id }),
  });
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
  await authorize(
    ctx,
    actor,
    'tokens.manageOthers',
    { userId: user?.id ?? ref },
    { entity: 'user', entityId: user?.id ?? ref, details: { command: auditAction } },
  );
  if (!user) throw noSuch('user', ref);
  return user;
}
