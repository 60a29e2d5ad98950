import type { Knex } from 'knex';
import { isRetryable } from '../db/pg-errors.js';
import type { DomainContext } from './context.js';

/**
 * Runs `work` in one transaction. Serialization failures and deadlocks (two bookings racing on
 * an exclusion constraint can deadlock) are retried up to `retries` times; after that, or for
 * any other error, the error propagates and nothing is written.
 */
export async function inTransaction<T>(ctx: DomainContext, work: (trx: Knex.Transaction) => Promise<T>, options: { retries?: number } = {}): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.db.transaction(work);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * (attempt + 1)));
    }
  }
}
