import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      sender_id uuid NOT NULL REFERENCES users (id),
      receiver_id uuid NOT NULL REFERENCES users (id),
      content text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 10000),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    )
  `);
  await knex.raw('CREATE INDEX messages_receiver_idx ON messages (receiver_id, created_at)');
  await knex.raw('CREATE INDEX messages_sender_idx ON messages (sender_id, created_at)');
  await knex.raw('CREATE INDEX messages_unread_idx ON messages (receiver_id) WHERE read_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE messages');
}
