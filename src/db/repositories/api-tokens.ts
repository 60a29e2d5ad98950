import type { Knex } from 'knex';
import { whereIdStartsWith } from './id-prefix.js';

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A token with its owner's username, as listings show it. */
export interface ApiTokenListRow extends Omit<ApiTokenRow, 'token_hash'> {
  username: string;
}

export type NewApiTokenRow = Pick<ApiTokenRow, 'user_id' | 'name' | 'token_hash' | 'created_by' | 'created_at' | 'expires_at'>;

const TOKEN_COLUMNS = ['id', 'user_id', 'name', 'token_hash', 'created_by', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'] as const;
const LIST_COLUMNS = [
  'api_tokens.id',
  'api_tokens.user_id',
  'api_tokens.name',
  'api_tokens.created_by',
  'api_tokens.created_at',
  'api_tokens.expires_at',
  'api_tokens.last_used_at',
  'api_tokens.revoked_at',
  'users.username',
];

function listQuery(db: Knex): Knex.QueryBuilder {
  return db('api_tokens').join('users', 'users.id', 'api_tokens.user_id').select(LIST_COLUMNS);
}

export async function insertApiToken(db: Knex, row: NewApiTokenRow): Promise<ApiTokenListRow> {
  const [created] = await db('api_tokens').insert(row).returning(['id']);
  return (await findApiTokenById(db, (created as { id: string }).id))!;
}

export async function findApiTokenByHash(db: Knex, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db('api_tokens')
    .select(...TOKEN_COLUMNS)
    .where({ token_hash: tokenHash })
    .first();
}

export async function findApiTokenById(db: Knex, id: string): Promise<ApiTokenListRow | undefined> {
  return listQuery(db).where('api_tokens.id', id).first();
}

/** Tokens whose id starts with `prefix`, of one user when `userId` is given, at most `limit`, by id. */
export async function findApiTokensByIdPrefix(db: Knex, prefix: string, scope: { userId?: string }, limit: number): Promise<ApiTokenListRow[]> {
  const query = whereIdStartsWith(listQuery(db), 'api_tokens.id', prefix).orderBy('api_tokens.id').limit(limit);
  if (scope.userId) query.where('api_tokens.user_id', scope.userId);
  return query;
}

export async function listApiTokens(db: Knex, filter: { userId?: string } = {}): Promise<ApiTokenListRow[]> {
  const query = listQuery(db).orderBy([{ column: 'users.username' }, { column: 'api_tokens.created_at' }, { column: 'api_tokens.id' }]);
  if (filter.userId) query.where('api_tokens.user_id', filter.userId);
  return query;
}

export async function markApiTokenUsed(db: Knex, id: string, at: Date): Promise<void> {
  await db('api_tokens').where({ id }).update({ last_used_at: at });
}

export async function revokeApiToken(db: Knex, id: string, at: Date): Promise<void> {
  await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: at });
}

/** Revokes every live token of a user; returns how many there were. */
export async function revokeApiTokensOfUser(db: Knex, userId: string, at: Date): Promise<number> {
  const revoked = await db('api_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: at }).returning('id');
  return revoked.length;
}
