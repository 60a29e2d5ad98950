import type { MessageView } from '../../../domain/messages/view.js';
import type { Column, Output } from '../../output.js';

const PREVIEW_CHARACTERS = 60;

/**
 * Message text for a terminal: control characters (escape sequences could rewrite the screen)
 * are shown as \xNN; line breaks and tabs stay. --json prints the content untouched.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line of a message for a table: whitespace runs become one space, long text ends in "…". */
export function preview(content: string): string {
  const characters = [...terminalSafe(content).replace(/\s+/g, ' ').trim()];
  return characters.length > PREVIEW_CHARACTERS ? `${characters.slice(0, PREVIEW_CHARACTERS - 1).join('')}…` : characters.join('');
}

const shortId = (message: MessageView) => message.id.slice(0, 8);
const readState = (message: MessageView) => message.readAt ?? 'unread';

export const inboxColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'FROM', value: (m) => m.sender },
  { header: 'RECEIVED', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content) },
];

export const sentColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'TO', value: (m) => m.receiver },
  { header: 'SENT', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content) },
];

export const threadColumns: ReadonlyArray<Column<MessageView>> = [
  { header: 'ID', value: shortId },
  { header: 'FROM', value: (m) => m.sender },
  { header: 'TO', value: (m) => m.receiver },
  { header: 'SENT', value: (m) => m.createdAt },
  { header: 'READ', value: readState },
  { header: 'MESSAGE', value: (m) => preview(m.content) },
];

/** The whole message: a short header, a blank line, the full text. */
export function renderMessage(output: Output, message: MessageView): void {
  output.data(message, () => {
    const fields: Array<[string, string]> = [
      ['ID', message.id],
      ['From', message.sender],
      ['To', message.receiver],
      ['Sent', message.createdAt.toISOString()],
      ['Read', message.readAt?.toISOString() ?? 'unread'],
    ];
    const header = fields.map(([label, value]) => `${output.color.bold(label.padEnd(4))}  ${value}`).join('\n');
    return `${header}\n\n${terminalSafe(message.content)}`;
  });
}
