/** Gives an Idempotency-Key back after a failed (5xx) request, so the client may retry it. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'release-http-idempotency-record',
  text: `delete from http_idempotency_record
          where tenant_id = $1 and idempotency_key = $2 and request_fingerprint = $3 and status = 'IN_PROGRESS'`,
};

/** Deletes the IN_PROGRESS record of the request; returns whether one was deleted. */
export async function releaseHttpIdempotencyRecord(
  db: Queryable,
  params: { tenantId: string; idempotencyKey: string; requestFingerprint: string },
): Promise<boolean> {
  const result = await runQuery(db, query, [params.tenantId, params.idempotencyKey, params.requestFingerprint]);
  return (result.rowCount ?? 0) > 0;
}
