import type { UserRow } from '../../db/repositories/users.js';
import type { Role } from '../policy.js';
import { viewFields } from '../view-fields.js';

/** A user as commands show it (DESIGN §5). Never a password hash. */
export interface UserView {
  id: string;
  username: string;
  fullName: string;
  email: string | null;
  role: Role;
  status: 'active' | 'disabled';
  createdAt: Date;
  updatedAt: Date;
}

export const USER_VIEW_FIELDS = viewFields<UserView>()(['id', 'username', 'fullName', 'email', 'role', 'status', 'createdAt', 'updatedAt']);

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    fullName: row.full_name,
    email: row.email,
    role: row.role,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
