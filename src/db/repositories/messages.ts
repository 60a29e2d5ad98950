import type { Knex } from 'knex';
import type { Role } from '../schema-values.js';
import { whereIdStartsWith } from './id-prefix.js';

export interface NewMessageRow {
  sender_id: string;
  receiver_id: string;
  content: string;
  created_at: Date;
}

/** A message with the usernames of both parties. */
export interface MessageRow {
  id: string;
  sender_id: string;
  receiver_id: string;
  sender: string;
  receiver: string;
  sender_role: Role;
  receiver_role: Role;
  content: string;
  created_at: Date;
  read_at: Date | null;
}

const MESSAGE_COLUMNS = [
  'messages.id',
  'messages.sender_id',
  'messages.receiver_id',
  'sender.username as sender',
  'receiver.username as receiver',
  'sender.role as sender_role',
  'receiver.role as receiver_role',
  'messages.content',
  'messages.created_at',
  'messages.read_at',
];

function messagesQuery(db: Knex): Knex.QueryBuilder {
  return db('messages')
    .join('users as sender', 'sender.id', 'messages.sender_id')
    .join('users as receiver', 'receiver.id', 'messages.receiver_id')
    .select(MESSAGE_COLUMNS);
}

export async function insertMessage(db: Knex, row: NewMessageRow): Promise<string> {
  const [created] = await db('messages').insert(row).returning('id');
  return (created as { id: string }).id;
}

export async function findMessageById(db: Knex, id: string): Promise<MessageRow | undefined> {
  return messagesQuery(db).where('messages.id', id).first();
}

/** Messages whose id starts with `prefix`, of those `participantId` sent or received when given; at most `limit`, by id. */
export async function findMessagesByIdPrefix(db: Knex, prefix: string, options: { participantId?: string; limit: number }): Promise<MessageRow[]> {
  const query = whereIdStartsWith(messagesQuery(db), 'messages.id', prefix).orderBy('messages.id').limit(options.limit);
  if (options.participantId) {
    const participant = options.participantId;
    query.where((where) => where.where('messages.sender_id', participant).orWhere('messages.receiver_id', participant));
  }
  return query;
}

/** The messages one list holds: those to a user (perhaps only unread), those from a user, or those between two. */
export type MessageSelection = { receivedBy: string; unreadOnly?: boolean } | { sentBy: string } | { between: readonly [string, string] };

function selected(query: Knex.QueryBuilder, selection: MessageSelection): Knex.QueryBuilder {
  if ('receivedBy' in selection) {
    query.where('messages.receiver_id', selection.receivedBy);
    if (selection.unreadOnly) query.whereNull('messages.read_at');
  } else if ('sentBy' in selection) {
    query.where('messages.sender_id', selection.sentBy);
  } else {
    const [one, other] = selection.between;
    query.where((where) =>
      where
        .where((pair) => pair.where('messages.sender_id', one).where('messages.receiver_id', other))
        .orWhere((pair) => pair.where('messages.sender_id', other).where('messages.receiver_id', one)),
    );
  }
  return query;
}

/** Newest first; at most `limit` of them when given. */
export async function listMessages(db: Knex, selection: MessageSelection, limit?: number): Promise<MessageRow[]> {
  const query = selected(messagesQuery(db), selection).orderBy([
    { column: 'messages.created_at', order: 'desc' },
    { column: 'messages.id', order: 'desc' },
  ]);
  if (limit !== undefined) query.limit(limit);
  return query;
}

export async function countMessages(db: Knex, selection: MessageSelection): Promise<number> {
  const [row] = await selected(db('messages'), selection).count<Array<{ n: string | number }>>({ n: '*' });
  return Number(row?.n ?? 0);
}

/** Sets read_at unless it is already set; returns the new read_at, or undefined when nothing changed. */
export async function markRead(db: Knex, id: string, at: Date): Promise<Date | undefined> {
  const [updated] = await db('messages').where({ id }).whereNull('read_at').update({ read_at: at }).returning('read_at');
  return (updated as { read_at: Date } | undefined)?.read_at;
}

/** Many messages at once (the demo clinic). */
export async function insertMessages(db: Knex, rows: ReadonlyArray<{ sender_id: string; receiver_id: string; content: string }>): Promise<number> {
  if (rows.length === 0) return 0;
  await db('messages').insert([...rows]);
  return rows.length;
}
