import type { Knex } from 'knex';
import type { UserRow } from './users.js';

export interface SessionRow {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ended_at: Date | null;
}

export type NewSessionRow = Pick<SessionRow, 'user_id' | 'token_hash' | 'created_at' | 'last_seen_at' | 'expires_at'>;

const SESSION_COLUMNS = ['id', 'user_id', 'token_hash', 'created_at', 'last_seen_at', 'expires_at', 'ended_at'] as const;

export async function insertSession(db: Knex, row: NewSessionRow): Promise<SessionRow> {
  const [created] = await db('sessions')
    .insert(row)
    .returning([...SESSION_COLUMNS]);
  return created as SessionRow;
}

/** A session with what resuming it needs: its user's standing and the clinic's settings, in one statement. */
export interface SessionToResume {
  session: SessionRow;
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'status'> | undefined;
  settings: ReadonlyArray<{ key: string; value: string }>;
}

export async function findSessionToResume(db: Knex, tokenHash: string): Promise<SessionToResume | undefined> {
  const row = await db('sessions as s')
    .leftJoin('users as u', 'u.id', 's.user_id')
    .select(...SESSION_COLUMNS.map((column) => `s.${column}`))
    .select({ user_username: 'u.username', user_role: 'u.role', user_status: 'u.status' })
    .select(db.raw("(SELECT coalesce(json_agg(json_build_object('key', key, 'value', value)), '[]'::json) FROM settings) AS settings"))
    .where('s.token_hash', tokenHash)
    .first();
  if (!row) return undefined;
  const { user_username, user_role, user_status, settings, ...session } = row;
  return {
    session: session as SessionRow,
    user: user_username === null ? undefined : { id: session.user_id, username: user_username, role: user_role, status: user_status },
    settings: typeof settings === 'string' ? JSON.parse(settings) : settings,
  };
}

export async function findSessionByTokenHash(db: Knex, tokenHash: string): Promise<SessionRow | undefined> {
  return db('sessions')
    .select(...SESSION_COLUMNS)
    .where({ token_hash: tokenHash })
    .first();
}

/** The sliding idle window: seen now, so it expires later (never past the absolute limit). */
export async function touchSession(db: Knex, id: string, seenAt: Date, expiresAt: Date): Promise<void> {
  await db('sessions').where({ id }).update({ last_seen_at: seenAt, expires_at: expiresAt });
}

export async function endSession(db: Knex, id: string, at: Date): Promise<void> {
  await db('sessions').where({ id }).whereNull('ended_at').update({ ended_at: at });
}

/** Ends every open session of a user; returns how many were open. */
export async function endSessionsOfUser(db: Knex, userId: string, at: Date): Promise<number> {
  const ended = await db('sessions').where({ user_id: userId }).whereNull('ended_at').update({ ended_at: at }).returning('id');
  return ended.length;
}
