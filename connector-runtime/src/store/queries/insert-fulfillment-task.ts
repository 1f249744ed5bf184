/** Inserts one `fulfillment_task` row at version 0 (its dependencies are separate rows). */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';
import type { FulfillmentTask } from '../../domain/fulfillment-plan';

const query = {
  name: 'insert-fulfillment-task',
  text: `insert into fulfillment_task
           (tenant_id, id, fulfillment_plan_id, order_id, order_item_id, sequence, template_id, task_type, phase,
            execution_mode, owner_system, required, status, input_snapshot, input_snapshot_hash, retry_policy,
            timeout_policy, compensation_policy, completed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16::jsonb, $17::jsonb, $18::jsonb, $19)`,
};

/** Inserts the task with the policies and input snapshot it was planned with. */
export async function insertFulfillmentTask(db: Queryable, task: FulfillmentTask): Promise<void> {
  await runQuery(db, query, [
    task.tenantId,
    task.taskId,
    task.fulfillmentPlanId,
    task.orderId,
    task.orderItemId,
    task.sequence,
    task.templateId,
    task.taskType,
    task.phase,
    task.executionMode,
    task.ownerSystem,
    task.required,
    task.status,
    jsonParameter(task.inputSnapshot),
    task.inputSnapshotHash,
    jsonParameter(task.retryPolicy),
    jsonParameter(task.timeoutPolicy),
    jsonParameter(task.compensationPolicy),
    task.completedAt,
  ]);
}
