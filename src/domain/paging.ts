import { ValidationError } from './errors.js';

/**
 * Long lists come a page at a time (gh's way): at most DEFAULT_LIST_LIMIT rows unless a limit
 * or 'all' is asked for, and the total only when there are more, counted by the database.
 */
export const DEFAULT_LIST_LIMIT = 50;

/** A whole number of rows, or every row. */
export type ListLimit = number | 'all';

export interface Page<T> {
  items: T[];
  /** every row the filter matches: items.length unless the page is cut short */
  total: number;
}

export function checkLimit(limit: ListLimit | undefined, max = 100_000): number | undefined {
  if (limit === 'all') return undefined;
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ValidationError(`Invalid --limit "${limit}": use a whole number from 1 to ${max}, or --all.`);
  }
  return limit;
}

/** One more row than the limit says whether there are more; only then is the rest counted. */
export async function fetchPage<T>(
  limit: number | undefined,
  fetch: (limit: number | undefined) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  if (limit === undefined) {
    const items = await fetch(undefined);
    return { items, total: items.length };
  }
  const rows = await fetch(limit + 1);
  if (rows.length <= limit) return { items: rows, total: rows.length };
  return { items: rows.slice(0, limit), total: await count() };
}
