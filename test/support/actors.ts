import type { Knex } from 'knex';
import type { Actor, Role } from '../../src/domain/policy.js';

/**
 * A user row with no password, for tests that need someone to act as before the identity
 * service is involved. Use the domain's own services where the behaviour under test needs them.
 */
export async function insertActor(knex: Knex, username: string, role: Role): Promise<Actor> {
  const [row] = await knex('users').insert({ username, full_name: username, role }).returning(['id', 'username', 'role']);
  return row as Actor;
}
