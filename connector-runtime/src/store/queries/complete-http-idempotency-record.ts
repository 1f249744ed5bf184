/** Stores the response of the request that holds an Idempotency-Key, for replay. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

// Only the IN_PROGRESS record of the same request: a record taken over after expiry, or already
// completed, is left as it is.
const query = {
  name: 'complete-http-idempotency-record',
  text: `update http_idempotency_record
            set status = 'COMPLETED', response_status = $4, response_headers = $5::jsonb, response_body = $6::jsonb, completed_at = now()
          where tenant_id = $1 and idempotency_key = $2 and request_fingerprint = $3 and status = 'IN_PROGRESS'`,
};

/** Marks the record COMPLETED with the response; returns whether a record changed. */
export async function completeHttpIdempotencyRecord(
  db: Queryable,
  params: {
    tenantId: string;
    idempotencyKey: string;
    requestFingerprint: string;
    responseStatus: number;
    responseHeaders: Readonly<Record<string, string>>;
    responseBody: unknown;
  },
): Promise<boolean> {
  const result = await runQuery(db, query, [
    params.tenantId,
    params.idempotencyKey,
    params.requestFingerprint,
    params.responseStatus,
    jsonParameter(params.responseHeaders),
    jsonParameter(params.responseBody),
  ]);
  return (result.rowCount ?? 0) > 0;
}
