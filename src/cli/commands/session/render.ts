import type { WhoAmI } from '../../../domain/identity/whoami.js';
import type { Output } from '../../output.js';

export function renderIdentity(output: Output, identity: WhoAmI): void {
  output.record(identity, [
    ['username', identity.username],
    ['name', identity.fullName],
    ['role', identity.role],
    ['database', identity.database],
    ['authenticated by', identity.authenticatedBy === 'token' ? 'API token (CLINIC_TOKEN)' : 'session'],
    [identity.authenticatedBy === 'token' ? 'token expires' : 'session ends', identity.sessionExpiresAt ?? 'never'],
    ...(identity.sessionScope ? [['session of', sessionOf(identity)] as const] : []),
    ['unread messages', identity.unreadMessages],
  ]);
}

function sessionOf(identity: WhoAmI): string {
  return identity.sessionScope === 'terminal' ? `this terminal (${identity.terminal})` : 'no terminal (shared by commands without one)';
}
