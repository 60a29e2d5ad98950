import type { Actor } from '../policy.js';
import type { ClinicSettings } from '../settings/service.js';

/** How the person running a command proved who they are. */
export interface Authentication {
  actor: Actor;
  method: 'session' | 'token';
  /** When the session (idle or absolute limit) or the token ends; null for a token that never expires. */
  expiresAt: Date | null;
  /** The clinic's settings, when authenticating read them anyway (a session's limits). */
  settings?: ClinicSettings;
}
