/** Records a started process instance: the request is done and the order's workflow ref exists. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

const markStarted = {
  name: 'mark-workflow-start-request-started',
  text: `update workflow_start_request
            set status = 'STARTED', process_instance_key = $3, attempts = attempts + 1, last_error = null,
                started_at = now(), updated_at = now()
          where tenant_id = $1 and id = $2 and status = 'PENDING'`,
};

const insertReference = {
  name: 'insert-order-workflow-ref',
  text: `insert into order_workflow_ref (tenant_id, order_id, fulfillment_plan_id, process_id, process_instance_key, status, started_at)
         values ($1, $2, $3, $4, $5, 'ACTIVE', now())`,
};

/** Marks the request STARTED with the instance key and inserts the order's workflow ref. */
export async function markWorkflowStartRequestStarted(
  tx: Tx,
  params: { tenantId: string; id: string; orderId: string; fulfillmentPlanId: string; processId: string; processInstanceKey: string },
): Promise<void> {
  await runQuery(tx, markStarted, [params.tenantId, params.id, params.processInstanceKey]);
  await runQuery(tx, insertReference, [params.tenantId, params.orderId, params.fulfillmentPlanId, params.processId, params.processInstanceKey]);
}
