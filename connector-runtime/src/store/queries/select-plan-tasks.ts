/** Reads every task of one plan of a tenant in plan order, optionally locking them. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import { fulfillmentTaskColumns } from './fulfillment-task-columns';
import type { FulfillmentTaskRow } from './fulfillment-task-columns';

const query = {
  name: 'select-plan-tasks',
  text: `select ${fulfillmentTaskColumns} from fulfillment_task
          where tenant_id = $1 and fulfillment_plan_id = $2 order by sequence`,
};

// Locks in plan order, so two transactions locking the same plan's tasks queue instead of deadlocking.
const forUpdateQuery = {
  name: 'select-plan-tasks-for-update',
  text: `select ${fulfillmentTaskColumns} from fulfillment_task
          where tenant_id = $1 and fulfillment_plan_id = $2 order by sequence for update`,
};

/** Tasks of the plan, first sequence first (empty for an unknown plan or another tenant's plan). */
export async function selectPlanTasks(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string; forUpdate?: boolean },
): Promise<FulfillmentTaskRow[]> {
  const result = await runQuery<FulfillmentTaskRow>(db, params.forUpdate ? forUpdateQuery : query, [params.tenantId, params.fulfillmentPlanId]);
  return result.rows;
}
