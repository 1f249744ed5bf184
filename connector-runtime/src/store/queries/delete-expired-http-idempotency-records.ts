/** Deletes expired Idempotency-Key records, a batch at a time (the periodic clean-up). */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

// A bounded batch keeps each delete short; SKIP LOCKED leaves rows a claim is taking over alone.
const query = {
  name: 'delete-expired-http-idempotency-records',
  text: `delete from http_idempotency_record
          where (tenant_id, idempotency_key) in (
                  select tenant_id, idempotency_key from http_idempotency_record
                   where expires_at <= now()
                   limit $1
                   for update skip locked)`,
};

/** Deletes at most `limit` expired records; returns how many. */
export async function deleteExpiredHttpIdempotencyRecords(db: Queryable, params: { limit: number }): Promise<number> {
  const result = await runQuery(db, query, [params.limit]);
  return result.rowCount ?? 0;
}
