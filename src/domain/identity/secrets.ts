import { createHash, randomBytes } from 'node:crypto';

/** Session tokens and API tokens: 256 random bits; the database keeps only their SHA-256. */
export const API_TOKEN_PREFIX = 'clinic_pat_';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const UNKNOWN_USERNAME_PREFIX = 'unknown:';

/**
 * What the audit keeps of a name nobody has, typed at login: a digest, not the text (people type
 * their password into the username field). The same name gives the same digest, so repeated
 * attempts at it can be told apart and found with `audit list --actor NAME`.
 */
export function unknownUsernameDigest(username: string): string {
  return `${UNKNOWN_USERNAME_PREFIX}${createHash('sha256').update(username.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 16)}`;
}
