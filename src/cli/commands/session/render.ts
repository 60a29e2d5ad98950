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
    ['unread messages', identity.unreadMessages],
  ]);
}
