import type { MessageView } from '../../../domain/messages/view.js';
import type { Column, Output } from '../../output.js';

const PREVIEW_CHARACTERS = 60;

/** One line of a message for a table (made terminal-safe there): whitespace runs become one space, long text ends in "…". */
export function preview(content: string): string {
  const characters = [...content.replace(/\s+/g, ' ').trim()];
  return characters.length > PREVIEW_CHARACTERS ? `${characters.slice(0, PREVIEW_CHARACTERS - 1).join('')}…` : characters.join('');
}

const shortId = (message: MessageView) => message.id.slice(0, 8);
const readState = (message: MessageView) => message.readAt ?? 'unread';

export const inboxColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'FROM', value: (m) => m.sender },
  { header: 'RECEIVED', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content), fit: true },
];

export const sentColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'TO', value: (m) => m.receiver },
  { header: 'SENT', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content), fit: true },
];

export const threadColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'FROM', value: (m) => m.sender },
  { header: 'TO', value: (m) => m.receiver },
  { header: 'SENT', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content), fit: true },
];

/** The whole message: a short header, a blank line, the full text. */
export function renderMessage(output: Output, message: MessageView): void {
  output.record(
    message,
    [
      ['ID', message.id],
      ['From', message.sender],
      ['To', message.receiver],
      ['Sent', message.createdAt],
      ['Read', message.readAt ?? 'unread'],
    ],
    message.content,
  );
}
