import type { UserView } from '../../../domain/users/view.js';
import type { Column, Output } from '../../output.js';

export const USER_COLUMNS: ReadonlyArray<Column<UserView>> = [
  { header: 'username', value: (user) => user.username },
  { header: 'name', value: (user) => user.fullName },
  { header: 'role', value: (user) => user.role },
  { header: 'status', value: (user) => user.status },
  { header: 'email', value: (user) => user.email },
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
