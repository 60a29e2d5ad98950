import type { ApiTokenView } from '../../../domain/identity/api-tokens.js';
import type { Column } from '../../output.js';

export const TOKEN_COLUMNS: ReadonlyArray<Column<ApiTokenView>> = [
  { header: 'ID', value: (token) => token.id },
  { header: 'NAME', value: (token) => token.name, fit: true },
  { header: 'USER', value: (token) => token.user },
  { header: 'STATUS', value: (token) => token.status },
  { header: 'EXPIRES', value: (token) => token.expiresAt ?? 'never' },
  { header: 'LAST USED', value: (token) => token.lastUsedAt },
];
