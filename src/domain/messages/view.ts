import type { MessageRow } from '../../db/repositories/messages.js';
import { viewFields } from '../view-fields.js';

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

export const MESSAGE_VIEW_FIELDS = viewFields<MessageView>()(['id', 'senderId', 'receiverId', 'sender', 'receiver', 'content', 'createdAt', 'readAt']);

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
