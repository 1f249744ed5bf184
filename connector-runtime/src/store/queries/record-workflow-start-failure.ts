/** Records a failed start attempt: retry later, or give up after the last attempt. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'record-workflow-start-failure',
  text: `update workflow_start_request
            set attempts = attempts + 1, last_error = left($3, 2000), updated_at = now(),
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000),
                status = case when attempts + 1 >= $5 then 'FAILED' else 'PENDING' end
          where tenant_id = $1 and id = $2
          returning status`,
};

/** Returns the request's status after the failure: PENDING (will retry) or FAILED. */
export async function recordWorkflowStartFailure(
  tx: Tx,
  params: { tenantId: string; id: string; error: string; retryInMs: number; maxAttempts: number },
): Promise<'PENDING' | 'FAILED'> {
  const result = await runQuery<{ status: 'PENDING' | 'FAILED' }>(tx, query, [params.tenantId, params.id, params.error, params.retryInMs, params.maxAttempts]);
  return result.rows[0]!.status;
}
