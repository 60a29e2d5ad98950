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
