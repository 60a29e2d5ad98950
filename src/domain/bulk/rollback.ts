import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { throwIfInterrupted } from '../interruption.js';

/**
 * Runs `work` in a transaction that commits only when it says so (a dry run or a refused file
 * rolls back) and the caller was not interrupted meanwhile.
 */
export async function withRollbackUnless<T extends { commit: boolean }>(ctx: DomainContext, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const trx = await ctx.db.transaction();
  try {
    const result = await work(trx);
    if (result.commit) {
      throwIfInterrupted(ctx.signal);
      await trx.commit();
    }
    else await trx.rollback();
    return result;
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback().catch(() => {});
    throw error;
  }
}
