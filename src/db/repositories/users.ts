import type { Knex } from 'knex';
import type { Role, UserStatus } from '../schema-values.js';
import { batches } from '../batches.js';

export interface UserRow {
  id: string;
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
  status: UserStatus;
  created_at: Date;
  updated_at: Date;
}

/** Credential columns: fetched only by the identity service, never rendered. */
export interface UserCredentialRow extends UserRow {
  password_hash: string | null;
  password_changed_at: Date | null;
  failed_login_count: number;
  first_failed_login_at: Date | null;
  locked_until: Date | null;
}

export interface NewUserRow {
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
  password_hash: string | null;
  password_changed_at?: Date | null;
}

export type UpdatedUserRow = Partial<
  Pick<
    UserCredentialRow,
    'full_name' | 'email' | 'role' | 'status' | 'password_hash' | 'password_changed_at' | 'failed_login_count' | 'first_failed_login_at' | 'locked_until'
  >
>;

export const USER_COLUMNS = ['id', 'username', 'full_name', 'email', 'role', 'status', 'created_at', 'updated_at'] as const;
const CREDENTIAL_COLUMNS = [...USER_COLUMNS, 'password_hash', 'password_changed_at', 'failed_login_count', 'first_failed_login_at', 'locked_until'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** People and accounts are named by username or id (DESIGN §3). */
export function whereUserRef(query: Knex.QueryBuilder, ref: string): Knex.QueryBuilder {
  return isUuid(ref) ? query.where('users.id', ref) : query.where('users.username', ref.toLowerCase());
}

export async function insertUser(db: Knex, row: NewUserRow): Promise<UserRow> {
  const [created] = await db('users')
    .insert({ ...row, username: row.username.toLowerCase() })
    .returning([...USER_COLUMNS]);
  return created as UserRow;
}

export async function findUserByRef(db: Knex, ref: string): Promise<UserRow | undefined> {
  return whereUserRef(db('users').select(...USER_COLUMNS), ref).first();
}

export async function findUserById(db: Knex, id: string): Promise<UserRow | undefined> {
  return db('users')
    .select(...USER_COLUMNS)
    .where({ id })
    .first();
}

export async function findCredentialsByUsername(db: Knex, username: string): Promise<UserCredentialRow | undefined> {
  return db('users')
    .select(...CREDENTIAL_COLUMNS)
    .where({ username: username.toLowerCase() })
    .first();
}

export async function findCredentialsById(db: Knex, id: string): Promise<UserCredentialRow | undefined> {
  return db('users')
    .select(...CREDENTIAL_COLUMNS)
    .where({ id })
    .first();
}

export async function updateUser(db: Knex, id: string, changes: UpdatedUserRow): Promise<UserRow> {
  const [updated] = await db('users')
    .where({ id })
    .update({ ...changes, updated_at: db.fn.now() })
    .returning([...USER_COLUMNS]);
  return updated as UserRow;
}

export async function listUsers(db: Knex, filter: { role?: Role; status?: UserStatus } = {}): Promise<UserRow[]> {
  const query = db('users')
    .select(...USER_COLUMNS)
    .orderBy('username');
  if (filter.role) query.where('role', filter.role);
  if (filter.status) query.where('status', filter.status);
  return query;
}

/** Escapes LIKE's wildcards so that searched text matches literally (backslash is the default escape). */
function literalLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Accounts whose name or username holds the text, ignoring case and accents (the trigram index users_name_search_idx). */
export function whereNameHolds(query: Knex.QueryBuilder, text: string): Knex.QueryBuilder {
  return query.whereRaw("clinic_fold(users.full_name || ' ' || users.username::text) LIKE '%' || clinic_fold(?) || '%'", [literalLike(text)]);
}

/** The active accounts of these roles, by username; with `search`, those whose name or username holds it. */
export async function listActiveAccounts(db: Knex, filter: { roles: readonly Role[]; search?: string | undefined }): Promise<UserRow[]> {
  const query = db('users')
    .select(...USER_COLUMNS)
    .whereIn('role', filter.roles)
    .where('status', 'active')
    .orderBy('username');
  if (filter.search) whereNameHolds(query, filter.search);
  return query;
}

export async function countAdmins(db: Knex): Promise<number> {
  const row = await db('users').where({ role: 'admin' }).count<{ count: number | string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Active admins, optionally leaving one out (the one about to be disabled or demoted). */
export async function countActiveAdmins(db: Knex, exceptId?: string): Promise<number> {
  const query = db('users').where({ role: 'admin', status: 'active' });
  if (exceptId) query.whereNot('id', exceptId);
  const row = await query.count<{ count: number | string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/**
 * Serializes changes that depend on who the admins are (first admin, last active admin) between
 * concurrent clients: held until the transaction ends; plain reads and logins go on.
 */
export async function lockUsersForAdminChange(trx: Knex.Transaction): Promise<void> {
  await trx.raw('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
}

export type LoginStateRow = Pick<UserCredentialRow, 'failed_login_count' | 'first_failed_login_at' | 'locked_until'>;

export interface FailureCounting {
  at: Date;
  /** failures since this instant count together */
  windowStart: Date;
  /** the failure that reaches this count locks the account... */
  maxFailures: number;
  /** ...until this instant */
  lockUntil: Date;
}

/**
 * Failed-login bookkeeping (not a change of the account, so updated_at stays).
 * Counts one failed password check in ONE statement, so that failures arriving in parallel all
 * count (a read, a bcrypt comparison and a later write would lose updates). A locked account is
 * left as it is: failures while locked do not extend the lock. Returns the new state, or
 * undefined when the account was locked already.
 */
export async function countFailedLogin(db: Knex, id: string, rule: FailureCounting): Promise<LoginStateRow | undefined> {
  // Each CASE asks the same two questions, in fixed SQL with every value bound: does this failure
  // lock the account (inside the window and reaching the limit), and is the window still open?
  const { windowStart, maxFailures, at, lockUntil } = rule;
  const [row] = await db('users')
    .where({ id })
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', at))
    .update({
      failed_login_count: db.raw(
        'CASE WHEN first_failed_login_at > ? AND failed_login_count + 1 >= ? THEN 0 WHEN first_failed_login_at > ? THEN failed_login_count + 1 ELSE 1 END',
        [windowStart, maxFailures, windowStart],
      ),
      first_failed_login_at: db.raw(
        'CASE WHEN first_failed_login_at > ? AND failed_login_count + 1 >= ? THEN NULL WHEN first_failed_login_at > ? THEN first_failed_login_at ELSE CAST(? AS timestamptz) END',
        [windowStart, maxFailures, windowStart, at],
      ),
      locked_until: db.raw('CASE WHEN first_failed_login_at > ? AND failed_login_count + 1 >= ? THEN CAST(? AS timestamptz) END', [
        windowStart,
        maxFailures,
        lockUntil,
      ]),
    })
    .returning(['failed_login_count', 'first_failed_login_at', 'locked_until']);
  return row as LoginStateRow | undefined;
}

/** After a good password: clears the failures unless the account is locked (then false). */
export async function clearLoginFailures(db: Knex, id: string, at: Date): Promise<boolean> {
  const cleared = await db('users')
    .where({ id })
    .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', at))
    .update({ failed_login_count: 0, first_failed_login_at: null, locked_until: null })
    .returning(['id']);
  return cleared.length > 0;
}

/** Many users at once (seeding, people imports): existing usernames are left alone. */
export interface BulkUserRow {
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
}

/** Inserts the users whose username is free; returns the usernames created. */
export async function insertNewUsers(db: Knex, rows: readonly BulkUserRow[]): Promise<Set<string>> {
  const created = new Set<string>();
  for (const batch of batches(rows)) {
    const inserted: Array<{ username: string }> = await db('users').insert(batch).onConflict('username').ignore().returning(['username']);
    for (const row of inserted) created.add(row.username);
  }
  return created;
}

/** username → id, for the usernames given (lowercase). */
export async function userIdsByUsername(db: Knex, usernames: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const batch of batches(usernames)) {
    const rows: Array<{ id: string; username: string }> = await db('users').select('id', 'username').whereIn('username', batch);
    for (const row of rows) ids.set(row.username, row.id);
  }
  return ids;
}

/** The people of an export page, with what FHIR's Patient and Practitioner resources show. */
export interface PersonDetailsRow {
  id: string;
  username: string;
  full_name: string;
  email: string | null;
  role: Role;
  date_of_birth: string | null;
  phone: string | null;
  specialty: string | null;
  license_number: string | null;
}

/**
 * Each profile is looked up by its primary key, one person at a time: a page names a few dozen
 * people, and with plain joins the planner hashes the whole patients table for them instead (2.5 ms
 * against 0.5 ms at 20,000 patients, bench/RESULTS.md §6). `limit 1` keeps the lateral lookups from
 * being flattened back into those joins.
 */
export async function peopleByIds(db: Knex, ids: readonly string[]): Promise<PersonDetailsRow[]> {
  if (ids.length === 0) return [];
  return db('users')
    .joinRaw('left join lateral (select date_of_birth, phone from patients where patients.user_id = users.id limit 1) as patients on true')
    .joinRaw('left join lateral (select specialty, license_number from doctors where doctors.user_id = users.id limit 1) as doctors on true')
    .select(
      'users.id',
      'users.username',
      'users.full_name',
      'users.email',
      'users.role',
      'patients.date_of_birth',
      'patients.phone',
      'doctors.specialty',
      'doctors.license_number',
    )
    .whereIn('users.id', [...ids]);
}
