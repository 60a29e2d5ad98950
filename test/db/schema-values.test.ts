import { expect, it } from 'vitest';
import { ACTIVE_STATUSES, APPOINTMENT_STATUSES, AUDIT_OUTCOMES, ROLES, USER_STATUSES } from '../../src/db/schema-values.js';
import { describeBackends } from '../support/database.js';

/** src/db/schema-values.ts names the values the migrated schema allows: the two must not drift apart. */
describeBackends('schema values', (db) => {
  /** The quoted values of the one constraint of `table` whose definition mentions `column`. */
  async function constraintValues(table: string, column: string, type: 'c' | 'x'): Promise<string[][]> {
    const result = await db().knex.raw(
      'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = CAST(? AS regclass) AND contype = ? ORDER BY conname',
      [table, type],
    );
    return (result.rows as Array<{ def: string }>)
      .filter((row) => new RegExp(`\\b${column}\\b`).test(row.def))
      .map((row) => [...row.def.matchAll(/'([^']*)'::text/g)].map((match) => match[1]!));
  }

  it('are the values of the CHECK constraints on users, appointments and audit_log', async () => {
    expect(await constraintValues('users', 'role', 'c')).toEqual([[...ROLES]]);
    expect(await constraintValues('users', 'status', 'c')).toEqual([[...USER_STATUSES]]);
    expect(await constraintValues('appointments', 'status', 'c')).toEqual([[...APPOINTMENT_STATUSES]]);
    expect(await constraintValues('audit_log', 'outcome', 'c')).toEqual([[...AUDIT_OUTCOMES]]);
  });

  it('the active statuses are those the exclusion constraints cover (one per doctor, one per patient)', async () => {
    expect(await constraintValues('appointments', 'status', 'x')).toEqual([[...ACTIVE_STATUSES], [...ACTIVE_STATUSES]]);
  });
});
