/** Every attempt of every task of one plan, for the order API's task view. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** A `fulfillment_task_attempt` row. */
export interface ApiTaskAttemptRow {
  id: string;
  fulfillment_task_id: string;
  attempt_no: number;
  status: string;
  idempotency_key: string;
  external_system: string | null;
  external_correlation_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  started_at: Date;
  completed_at: Date | null;
}

// Through the plan's tasks, so the attempts' (tenant, task) key serves the lookup.
const query = {
  name: 'api-select-task-attempts-of-plan',
  text: `select a.id, a.fulfillment_task_id, a.attempt_no, a.status, a.idempotency_key, a.external_system, a.external_correlation_id,
                a.failure_code, a.failure_message, a.started_at, a.completed_at
           from fulfillment_task t
           join fulfillment_task_attempt a on a.tenant_id = t.tenant_id and a.fulfillment_task_id = t.id
          where t.tenant_id = $1 and t.fulfillment_plan_id = $2
          order by t.sequence, a.attempt_no`,
};

/** Attempts of the plan's tasks, in plan order, first attempt first. */
export async function apiSelectTaskAttemptsOfPlan(db: Queryable, params: { tenantId: string; fulfillmentPlanId: string }): Promise<ApiTaskAttemptRow[]> {
  return (await runQuery<ApiTaskAttemptRow>(db, query, [params.tenantId, params.fulfillmentPlanId])).rows;
}
