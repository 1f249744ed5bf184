/** Every external call made for the tasks of one plan, for the order API's task view. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** An `external_call_attempt` row of a fulfillment task. */
export interface ApiExternalCallRow {
  id: string;
  fulfillment_task_id: string;
  external_system: string;
  external_correlation_id: string;
  idempotency_key: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  submitted_at: Date | null;
  completed_at: Date | null;
}

const query = {
  name: 'api-select-external-calls-of-plan',
  text: `select c.id, c.fulfillment_task_id, c.external_system, c.external_correlation_id, c.idempotency_key, c.status, c.failure_code,
                c.failure_message, c.created_at, c.submitted_at, c.completed_at
           from fulfillment_task t
           join external_call_attempt c on c.tenant_id = t.tenant_id and c.fulfillment_task_id = t.id
          where t.tenant_id = $1 and t.fulfillment_plan_id = $2
          order by t.sequence, c.created_at, c.id`,
};

/** External calls of the plan's tasks, in plan order, oldest call first. */
export async function apiSelectExternalCallsOfPlan(db: Queryable, params: { tenantId: string; fulfillmentPlanId: string }): Promise<ApiExternalCallRow[]> {
  return (await runQuery<ApiExternalCallRow>(db, query, [params.tenantId, params.fulfillmentPlanId])).rows;
}
