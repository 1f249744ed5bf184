/**
 * Writes a task transition if the task's version is still the expected one, and bumps the version.
 * Moving to IN_PROGRESS counts an attempt and records the first start; a failure code and message
 * are kept until the next failure replaces them, so an operator sees why the task last failed.
 */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import type { FulfillmentTaskStatus } from '../../domain/vocabulary';

/** Values of one task transition. */
export interface UpdateFulfillmentTaskStatusParams {
  tenantId: string;
  taskId: string;
  expectedVersion: number;
  status: FulfillmentTaskStatus;
  completedAt: string | null;
  /** When the transition happened (ISO-8601). */
  at: string;
  failureCode: string | null;
  failureMessage: string | null;
}

const query = {
  name: 'update-fulfillment-task-status',
  text: `update fulfillment_task
            set status = $4::varchar,
                completed_at = $5,
                attempt_count = attempt_count + case when $4::varchar = 'IN_PROGRESS' then 1 else 0 end,
                started_at = case when $4::varchar = 'IN_PROGRESS' then coalesce(started_at, $6::timestamptz) else started_at end,
                last_failure_code = coalesce($7::varchar, last_failure_code),
                last_failure_message = coalesce($8::text, last_failure_message),
                version = version + 1,
                updated_at = now()
          where tenant_id = $1 and id = $2 and version = $3
          returning version::text as version`,
};

/** The new version (decimal string), or `undefined` when no row had the expected version. */
export async function updateFulfillmentTaskStatus(db: Queryable, params: UpdateFulfillmentTaskStatusParams): Promise<string | undefined> {
  const result = await runQuery<{ version: string }>(db, query, [
    params.tenantId,
    params.taskId,
    params.expectedVersion,
    params.status,
    params.completedAt,
    params.at,
    params.failureCode,
    params.failureMessage,
  ]);
  return result.rows[0]?.version;
}
