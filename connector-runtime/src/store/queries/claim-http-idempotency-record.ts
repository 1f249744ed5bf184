/** Claims an Idempotency-Key for one request, or returns the record that already holds it. */
import { BugError } from '../../errors';
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** What the request that wants the key is. */
export interface ClaimHttpIdempotencyRecordParams {
  tenantId: string;
  idempotencyKey: string;
  requestMethod: string;
  requestPath: string;
  requestFingerprint: string;
  /** How long the record lives, in milliseconds. */
  ttlMs: number;
}

/** The record holding the key: claimed by this call (IN_PROGRESS) or found as another left it. */
export interface HttpIdempotencyRecordRow {
  request_fingerprint: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
  claimed: boolean;
}

// The primary key decides who owns a key: one insert wins, every concurrent one conflicts. An
// expired record counts as absent and is taken over in the same statement. When the winner commits
// while this statement waits on the key, the select part cannot see its row (the snapshot is
// older) and nothing is returned: the caller runs the statement again.
const query = {
  name: 'claim-http-idempotency-record',
  text: `with claimed as (
           insert into http_idempotency_record
             (tenant_id, idempotency_key, request_method, request_path, request_fingerprint, status, expires_at)
           values ($1, $2, $3, $4, $5, 'IN_PROGRESS', now() + $6::integer * interval '1 millisecond')
           on conflict (tenant_id, idempotency_key) do update
              set request_method = excluded.request_method, request_path = excluded.request_path,
                  request_fingerprint = excluded.request_fingerprint, status = 'IN_PROGRESS',
                  response_status = null, response_headers = null, response_body = null,
                  created_at = now(), completed_at = null, expires_at = excluded.expires_at
            where http_idempotency_record.expires_at <= now()
           returning request_fingerprint, status, response_status, response_headers, response_body, true as claimed
         )
         select * from claimed
         union all
         select request_fingerprint, status, response_status, response_headers, response_body, false
           from http_idempotency_record
          where tenant_id = $1 and idempotency_key = $2 and not exists (select 1 from claimed)`,
};

/** The record that holds the key after this call; `claimed` tells whether this call took it. */
export async function claimHttpIdempotencyRecord(db: Queryable, params: ClaimHttpIdempotencyRecordParams): Promise<HttpIdempotencyRecordRow> {
  // A second run has a newer snapshot and sees the winner's row; a third covers a winner that
  // released the key (a 5xx) between the two.
  for (let run = 0; run < 3; run += 1) {
    const result = await runQuery<HttpIdempotencyRecordRow>(db, query, [
      params.tenantId,
      params.idempotencyKey,
      params.requestMethod,
      params.requestPath,
      params.requestFingerprint,
      params.ttlMs,
    ]);
    const row = result.rows[0];
    if (row) return row;
  }
  throw new BugError('IDEMPOTENCY.RECORD_MISSING', 'http_idempotency_record has no row for a key after a conflicting insert', {
    tenantId: params.tenantId,
  });
}
