import type { UserView } from '../../../domain/users/view.js';
import type { Column, Output } from '../../output.js';

export const USER_COLUMNS: ReadonlyArray<Column<UserView>> = [
  { header: 'USERNAME', value: (user) => user.username },
  { header: 'NAME', value: (user) => user.fullName, fit: true },
  { header: 'ROLE', value: (user) => user.role },
  { header: 'STATUS', value: (user) => user.status },
  { header: 'EMAIL', value: (user) => user.email, fit: true },
];

export function renderUser(output: Output, user: UserView): void {
  output.record(user, [
    ['id', user.id],
    ['username', user.username],
    ['name', user.fullName],
    ['email', user.email],
    ['role', user.role],
    ['status', user.status],
    ['created', user.createdAt],
    ['updated', user.updatedAt],
  ]);
}
