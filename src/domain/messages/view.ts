import type { MessageRow } from '../../db/repositories/messages.js';

/** A message as commands show it (DESIGN §5). */
export interface MessageView {
  id: string;
  senderId: string;
  receiverId: string;
  sender: string;
  receiver: string;
  content: string;
  createdAt: Date;
  readAt: Date | null;
}

export function messageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    senderId: row.sender_id,
    receiverId: row.receiver_id,
    sender: row.sender,
    receiver: row.receiver,
    content: row.content,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}
