import type { Actor } from '../policy.js';

/** How the person running a command proved who they are. */
export interface Authentication {
  actor: Actor;
  method: 'session' | 'token';
  /** When the session (idle or absolute limit) or the token ends; null for a token that never expires. */
  expiresAt: Date | null;
}
