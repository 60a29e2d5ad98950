import type { Knex } from 'knex';
import { z } from 'zod';
import { insertUser, findUserByRef, type UserRow } from '../../db/repositories/users.js';
import { sqlState, SqlState } from '../../db/pg-errors.js';
import { ConflictError } from '../errors.js';
import { parseWith } from '../validation.js';
import { can, type Role } from '../policy.js';
import type { DomainContext } from '../context.js';
import { assertAcceptablePassword, hashPassword } from '../identity/passwords.js';

/** What a username may be (lower case): 2 to 32 characters, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, 'a username is 2 to 32 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const fullNameSchema = z.string().trim().min(1, 'the name must not be empty').max(200, 'the name is at most 200 characters');

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'that is not an email address');

export interface NewAccount {
  username: string;
  fullName: string;
  email?: string | null | undefined;
  role: Role;
  /** Omitted: the account cannot log in until a password is set. */
  password?: string | undefined;
}

/**
 * Creates the user row of any account (admin, staff, doctor, patient) inside the caller's
 * transaction: validated fields, password policy, bcrypt hash, unique username.
 */
export async function createAccount(trx: Knex, input: NewAccount): Promise<UserRow> {
  const username = parseWith(usernameSchema, input.username, 'username');
  const fullName = parseWith(fullNameSchema, input.fullName, 'name');
  const email = input.email ? parseWith(emailSchema, input.email, 'email') : null;
  if (await findUserByRef(trx, username)) throw usernameTaken(username);
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    await assertAcceptablePassword(input.password, { username, fullName, email });
    passwordHash = await hashPassword(input.password);
  }
  try {
    return await insertUser(trx, {
      username,
      full_name: fullName,
      email,
      role: input.role,
      password_hash: passwordHash,
      password_changed_at: passwordHash ? new Date() : null,
    });
  } catch (error) {
    if (sqlState(error) === SqlState.uniqueViolation) {
      throw usernameTaken(username, error);
    }
    throw error;
  }
}

/** exit 7: someone has that username already. */
export function usernameTaken(username: string, cause?: unknown): ConflictError {
  return new ConflictError(`The username "${username}" is taken.`, {
    remedy: 'Choose another username.',
    reason: 'ALREADY_EXISTS',
    ...(cause ? { cause } : {}),
  });
}

/** The permission of each command that creates an account (users, patients, doctors). */
export type AccountCreation = 'users.manage' | 'patients.manage' | 'doctors.manage';

/**
 * Before the questions of a command that creates an account: the username's format and, for an
 * actor who may create such accounts, that nobody has it (anyone else is refused by the command itself).
 */
export async function checkNewUsername(ctx: DomainContext, input: { username: string; creating: AccountCreation }): Promise<string> {
  const username = parseWith(usernameSchema, input.username, 'username');
  if (ctx.actor && can(ctx.actor, input.creating) && (await findUserByRef(ctx.db, username))) throw usernameTaken(username);
  return username;
}
