/** Reads the dependency edges of one plan of a tenant. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** One edge: `task_id` waits for `depends_on_task_id`. */
export interface TaskDependencyRow {
  task_id: string;
  depends_on_task_id: string;
}

// Edges of a task come in the plan order of the task they wait for, the order decomposition lists them in.
const query = {
  name: 'select-plan-task-dependencies',
  text: `select d.task_id, d.depends_on_task_id
           from fulfillment_task_dependency d
           join fulfillment_task t
             on t.tenant_id = d.tenant_id and t.fulfillment_plan_id = d.fulfillment_plan_id and t.id = d.depends_on_task_id
          where d.tenant_id = $1 and d.fulfillment_plan_id = $2
          order by d.task_id, t.sequence`,
};

/** Every dependency edge of the plan. */
export async function selectPlanTaskDependencies(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string },
): Promise<TaskDependencyRow[]> {
  const result = await runQuery<TaskDependencyRow>(db, query, [params.tenantId, params.fulfillmentPlanId]);
  return result.rows;
}
