/**
 * *Start fulfillment* (seed §6): one transaction persists the plan, the execution, the workflow
 * start request and `OrderFulfillmentRequested` and moves the order to FULFILLMENT_READY; a second
 * call changes nothing and returns the same plan and execution; an order in another state is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBundleOrder } from '../demo/sample-order';
import { openStoreTestDatabase, uniqueTenantId, type StoreTestDatabase } from '../store/fixtures/store-test-database';
import { OrderStateError } from './command-context';
import { cancelOrder } from './cancel-order';
import { placeValidatedOrder, startFulfillment } from './start-fulfillment';

let db: StoreTestDatabase;
beforeAll(async () => {
  db = await openStoreTestDatabase('cmd_start');
});
afterAll(async () => db?.close());

async function count(sql: string, params: unknown[]): Promise<number> {
  return (await db.pool.query(sql, params)).rowCount ?? 0;
}

describe('start fulfillment', () => {
  it('given a validated order, when started twice, then one plan, execution, start request and event, and the same answer', async () => {
    const tenantId = uniqueTenantId();
    const order = sampleBundleOrder(tenantId);
    await placeValidatedOrder(db.pool, order, { actor: 'test' });
    const first = await startFulfillment(db.pool, { tenantId, orderId: order.orderId, actor: 'test' });
    const second = await startFulfillment(db.pool, { tenantId, orderId: order.orderId, actor: 'test' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    expect(await count('select 1 from fulfillment_plan where tenant_id = $1', [tenantId])).toBe(1);
    expect(await count('select 1 from fulfillment_task where tenant_id = $1', [tenantId])).toBe(15);
    expect(await count('select 1 from fulfillment_execution where tenant_id = $1', [tenantId])).toBe(1);
    const request = await db.pool.query('select business_key, variables, status from workflow_start_request where tenant_id = $1', [tenantId]);
    expect(request.rows).toEqual([{ business_key: `${tenantId}:${order.orderId}:${first.fulfillmentPlanId}`, variables: { orderVersion: order.orderVersion }, status: 'PENDING' }]);
    expect(await count(`select 1 from outbox where tenant_id = $1 and event_type = 'OrderFulfillmentRequested'`, [tenantId])).toBe(1);
    const status = await db.pool.query('select status from customer_order where tenant_id = $1 and id = $2', [tenantId, order.orderId]);
    expect(status.rows).toEqual([{ status: 'FULFILLMENT_READY' }]);
  });

  it('given an order cancelled before it was started, then starting it is refused and nothing is written', async () => {
    const tenantId = uniqueTenantId();
    const order = sampleBundleOrder(tenantId);
    await placeValidatedOrder(db.pool, order, { actor: 'test' });
    expect(await cancelOrder(db.pool, { tenantId, orderId: order.orderId, reason: 'customer changed their mind', actor: 'crm' })).toEqual({ status: 'CANCELLED', alreadyRequested: false });
    await expect(startFulfillment(db.pool, { tenantId, orderId: order.orderId, actor: 'test' })).rejects.toBeInstanceOf(OrderStateError);
    expect(await count('select 1 from fulfillment_plan where tenant_id = $1', [tenantId])).toBe(0);
    expect(await count('select 1 from workflow_start_request where tenant_id = $1', [tenantId])).toBe(0);
  });
});
