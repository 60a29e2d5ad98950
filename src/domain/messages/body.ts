import { ValidationError } from '../errors.js';

/** The database counts characters (code points), not UTF-16 units: an emoji is one. */
export const MAX_MESSAGE_CHARACTERS = 10_000;

export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Checks a message body and returns it unchanged: bodies are stored byte for byte. Errors never
 * quote the body (it may be long, or private).
 */
export function checkMessageBody(body: string): string {
  if (body.trim() === '') {
    throw new ValidationError('The message is empty.', { remedy: 'Pass the text with --body TEXT or on stdin.' });
  }
  if (body.includes('\u0000')) {
    throw new ValidationError('A message cannot contain NUL characters.');
  }
  const length = characterCount(body);
  if (length > MAX_MESSAGE_CHARACTERS) {
    throw new ValidationError(
      `The message is ${length.toLocaleString('en-US')} characters long; the limit is ${MAX_MESSAGE_CHARACTERS.toLocaleString('en-US')}.`,
    );
  }
  return body;
}
