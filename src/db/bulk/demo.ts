import type { Knex } from 'knex';

/** The demo clinic's few messages (the messages repository belongs to the messages service). */
export async function insertMessages(db: Knex, rows: ReadonlyArray<{ sender_id: string; receiver_id: string; content: string }>): Promise<number> {
  if (rows.length === 0) return 0;
  await db('messages').insert([...rows]);
  return rows.length;
}
