import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.js';

/** DESIGN §6: bcrypt at cost 12. */
export const BCRYPT_COST = 12;
const MIN_LENGTH = 10;
const MAX_BYTES = 72; // bcrypt reads no further: longer passwords are refused, never truncated
const MIN_SCORE = 3;

/** Refuses a password that is short, too long for bcrypt, contains the username, or is guessable. */
export async function assertAcceptablePassword(password: string, context: { username: string; fullName?: string; email?: string | null }): Promise<void> {
  if ([...password].length < MIN_LENGTH) {
    throw new ValidationError(`The password is too short: use at least ${MIN_LENGTH} characters.`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_BYTES) {
    throw new ValidationError(`The password is too long: at most ${MAX_BYTES} bytes in UTF-8.`);
  }
  if (password.toLowerCase().includes(context.username.toLowerCase())) {
    throw new ValidationError('The password must not contain the username.');
  }
  const { score, feedback } = await strength(password, [context.username, context.fullName ?? '', context.email ?? ''].filter(Boolean));
  if (score < MIN_SCORE) {
    const hint = feedback.warning || feedback.suggestions[0] || 'Use a longer passphrase of unrelated words.';
    throw new ValidationError(`The password is too weak (strength ${score} of 4, at least ${MIN_SCORE} needed). ${hint}`.trim());
  }
}

let estimator: Promise<import('@zxcvbn-ts/core').ZxcvbnFactory> | undefined;

async function strength(password: string, userInputs: string[]) {
  estimator ??= import('./password-estimator.js').then(({ createPasswordEstimator }) => createPasswordEstimator());
  return (await estimator).check(password, userInputs);
}

export async function hashPassword(password: string): Promise<string> {
  const { default: bcrypt } = await import('bcrypt');
  return bcrypt.hash(password, BCRYPT_COST);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const { default: bcrypt } = await import('bcrypt');
  return bcrypt.compare(password, hash);
}

/** 20 random URL-safe characters (120 bits): for accounts made for someone who is not at the keyboard. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
