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

export async function listReceived(db: Knex, receiverId: string, filter: { unreadOnly?: boolean } = {}): Promise<MessageRow[]> {
  const query = messagesQuery(db)
    .where('messages.receiver_id', receiverId)
    .orderBy([
      { column: 'messages.created_at', order: 'desc' },
      { column: 'messages.id', order: 'desc' },
    ]);
  if (filter.unreadOnly) query.whereNull('messages.read_at');
  return query;
}

export async function listSentBy(db: Knex, senderId: string): Promise<MessageRow[]> {
  return messagesQuery(db)
    .where('messages.sender_id', senderId)
    .orderBy([
      { column: 'messages.created_at', order: 'desc' },
      { column: 'messages.id', order: 'desc' },
    ]);
}

/** Both directions between two users, oldest first. */
export async function listBetween(db: Knex, userId: string, otherId: string): Promise<MessageRow[]> {
  return messagesQuery(db)
    .where((where) =>
      where
        .where((pair) => pair.where('messages.sender_id', userId).where('messages.receiver_id', otherId))
        .orWhere((pair) => pair.where('messages.sender_id', otherId).where('messages.receiver_id', userId)),
    )
    .orderBy([
      { column: 'messages.created_at', order: 'asc' },
      { column: 'messages.id', order: 'asc' },
    ]);
}

/** Sets read_at unless it is already set; returns the new read_at, or undefined when nothing changed. */
export async function markRead(db: Knex, id: string, at: Date): Promise<Date | undefined> {
  const [updated] = await db('messages').where({ id }).whereNull('read_at').update({ read_at: at }).returning('read_at');
  return (updated as { read_at: Date } | undefined)?.read_at;
}

export async function countUnread(db: Knex, receiverId: string): Promise<number> {
  const row = await db('messages').where({ receiver_id: receiverId }).whereNull('read_at').count<{ count: number | string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Many messages at once (the demo clinic). */
export async function insertMessages(db: Knex, rows: ReadonlyArray<{ sender_id: string; receiver_id: string; content: string }>): Promise<number> {
  if (rows.length === 0) return 0;
  await db('messages').insert([...rows]);
  return rows.length;
}
