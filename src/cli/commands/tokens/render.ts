import type { ApiTokenView } from '../../../domain/identity/api-tokens.js';
import type { Column } from '../../output.js';

export const TOKEN_COLUMNS: ReadonlyArray<Column<ApiTokenView>> = [
  { header: 'id', value: (token) => token.id },
  { header: 'name', value: (token) => token.name },
  { header: 'user', value: (token) => token.user },
  { header: 'status', value: (token) => token.status },
  { header: 'expires', value: (token) => token.expiresAt ?? 'never' },
  { header: 'last used', value: (token) => token.lastUsedAt },
];
