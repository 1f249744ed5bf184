/**
 * Reads that span several statements (an order and its items, a plan and its tasks' attempts) run
 * in one read-only REPEATABLE READ transaction, so the answer shows one moment of the OMS and never
 * a task whose attempt was committed between two statements.
 */
import type pg from 'pg';
import { withTransaction, type Queryable } from '../../store/database';

/** Runs `work` on one consistent, read-only snapshot of the database. */
export function withReadSnapshot<T>(pool: pg.Pool, work: (db: Queryable) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    return work(tx);
  });
}
