import type { Knex } from 'knex';
import { isUuid } from './users.js';

/**
 * Narrows `query` to rows whose uuid `column` starts with `prefix`: a whole id uses the primary
 * key, a shorter prefix compares the id as text (LIKE metacharacters are dropped, not matched).
 */
export function whereIdStartsWith<Q extends Knex.QueryBuilder>(query: Q, column: string, prefix: string): Q {
  const text = prefix.toLowerCase();
  if (isUuid(text)) return query.where(column, text) as Q;
  return query.whereRaw('??::text LIKE ?', [column, `${text.replace(/[%_\\]/g, '')}%`]) as Q;
}
