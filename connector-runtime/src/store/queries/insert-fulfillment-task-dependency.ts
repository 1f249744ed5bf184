/** Inserts one edge of a plan's task graph. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'insert-fulfillment-task-dependency',
  text: `insert into fulfillment_task_dependency (tenant_id, fulfillment_plan_id, task_id, depends_on_task_id)
         values ($1, $2, $3, $4)`,
};

/** Records that `taskId` waits for `dependsOnTaskId`; both must be tasks of the plan (foreign keys). */
export async function insertFulfillmentTaskDependency(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string; taskId: string; dependsOnTaskId: string },
): Promise<void> {
  await runQuery(db, query, [params.tenantId, params.fulfillmentPlanId, params.taskId, params.dependsOnTaskId]);
}
