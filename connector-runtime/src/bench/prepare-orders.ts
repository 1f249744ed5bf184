/**
 * Orders for the bench, placed through the domain commands as the runtime places them: the sample
 * broadband bundle, its fulfillment started and its plan loaded, so its first tasks are READY —
 * without a process instance of the real model (the bench starts its own).
 */
import type pg from 'pg';
import { loadFulfillmentPlan } from '../commands/load-fulfillment-plan';
import { placeValidatedOrder, startFulfillment } from '../commands/start-fulfillment';
import { sampleBundleOrder } from '../demo/sample-order';

/** An order whose plan is loaded, and its tasks that an `execute-fulfillment-task` job can claim. */
export interface ReadyOrder {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** READY tasks that run at once (AUTOMATED_SYNC), with their phase. */
  readyTasks: { taskId: string; phase: string; sequence: number }[];
}

/**
 * Places and starts the sample order under `tenantId` and loads its plan. The start request is
 * marked started (under a made-up process instance key), so a StartRelay never starts the real
 * model for it.
 */
export async function prepareReadyOrder(pool: pg.Pool, tenantId: string, processInstanceKey: string): Promise<ReadyOrder> {
  const order = sampleBundleOrder(tenantId);
  await placeValidatedOrder(pool, order, { actor: 'bench' });
  const started = await startFulfillment(pool, { tenantId, orderId: order.orderId, actor: 'bench' });
  await pool.query(`update workflow_start_request set status = 'STARTED', process_instance_key = $3, started_at = now() where tenant_id = $1 and order_id = $2`, [
    tenantId,
    order.orderId,
    processInstanceKey,
  ]);
  await pool.query(
    `insert into order_workflow_ref (tenant_id, order_id, fulfillment_plan_id, process_id, process_instance_key, status, started_at) values ($1, $2, $3, 'order-fulfillment-v1', $4, 'ACTIVE', now())`,
    [tenantId, order.orderId, started.fulfillmentPlanId, processInstanceKey],
  );
  await loadFulfillmentPlan(pool, { tenantId, orderId: order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, processInstanceKey, actor: 'bench' });
  return { tenantId, orderId: order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, readyTasks: await readyTasksOf(pool, tenantId, order.orderId) };
}

/** The READY AUTOMATED_SYNC tasks of an order, by sequence. */
export async function readyTasksOf(pool: pg.Pool, tenantId: string, orderId: string): Promise<ReadyOrder['readyTasks']> {
  const rows = await pool.query<{ id: string; phase: string; sequence: number }>(
    `select id, phase, sequence from fulfillment_task where tenant_id = $1 and order_id = $2 and status = 'READY' and execution_mode = 'AUTOMATED_SYNC' order by sequence`,
    [tenantId, orderId],
  );
  return rows.rows.map((row) => ({ taskId: row.id, phase: row.phase, sequence: row.sequence }));
}

/**
 * The ids of every order of `tenantId` by their place in the order (`order`, `plan`, `task:<sequence>`,
 * `item:<line>`): two orders of the same shape are matched place by place.
 */
export async function idsByPlace(pool: pg.Pool, tenantId: string): Promise<Map<string, Map<string, string>>> {
  const rows = await pool.query<{ order_id: string; place: string; id: string }>(
    `select id as order_id, 'order' as place, id from customer_order where tenant_id = $1
     union all select order_id, 'plan', id from fulfillment_plan where tenant_id = $1
     union all select order_id, 'execution', id from fulfillment_execution where tenant_id = $1
     union all select order_id, 'task:' || sequence, id from fulfillment_task where tenant_id = $1
     union all select order_id, 'item:' || line_no, id from order_item where tenant_id = $1`,
    [tenantId],
  );
  const byOrder = new Map<string, Map<string, string>>();
  for (const row of rows.rows) {
    let places = byOrder.get(row.order_id);
    if (!places) byOrder.set(row.order_id, (places = new Map()));
    places.set(row.place, row.id);
  }
  return byOrder;
}
