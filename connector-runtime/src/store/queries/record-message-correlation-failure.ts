/** Records a failed publish of a message correlation: retry later, or give up after the last attempt. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'record-message-correlation-failure',
  text: `update workflow_message_correlation
            set attempts = attempts + 1, last_error = left($3, 2000),
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
                status = case when attempts + 1 >= $5 then 'FAILED' else 'PENDING' end
          where tenant_id = $1 and id = $2 and status = 'PENDING'
          returning status`,
};

/** Returns the row's status after the failure: PENDING (will retry) or FAILED. */
export async function recordMessageCorrelationFailure(
  tx: Tx,
  params: { tenantId: string; id: string; error: string; retryInMs: number; maxAttempts: number },
): Promise<'PENDING' | 'FAILED'> {
  const result = await runQuery<{ status: 'PENDING' | 'FAILED' }>(tx, query, [params.tenantId, params.id, params.error, params.retryInMs, params.maxAttempts]);
  return result.rows[0]!.status;
}
