/**
 * Worker tests of `load-fulfillment-plan` (seed §7, §27): the top-level load starts the plan once
 * and binds it to one process instance, a second instance is refused, a phase load reports only its
 * phase's ready tasks, a stale order version raises an incident, and a cancellation stops new work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrder } from '../../commands/cancel-order';
import { placeValidatedOrder, startFulfillment } from '../../commands/start-fulfillment';
import { sampleBundleOrder } from '../../demo/sample-order';
import { uniqueTenantId } from '../../store/fixtures/store-test-database';
import { newJobKey, openHandlerKit, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { loadFulfillmentPlanHandler } from './handler';
import { loadFulfillmentPlanContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_load');
});
afterAll(async () => kit?.close());

/** An order whose fulfillment was started (plan CREATED, order FULFILLMENT_READY) but never loaded. */
async function plannedOrder() {
  const tenantId = uniqueTenantId();
  const order = sampleBundleOrder(tenantId);
  await placeValidatedOrder(kit.pool, order, { actor: 'test' });
  const { fulfillmentPlanId } = await startFulfillment(kit.pool, { tenantId, orderId: order.orderId, actor: 'test' });
  return { tenantId, order, fulfillmentPlanId, processInstanceKey: String(2251799813700000 + Math.floor(Math.random() * 100000)) };
}

type Subject = Pick<StartedOrder, 'tenantId' | 'order' | 'fulfillmentPlanId'>;

function load(subject: Subject, options: { processInstanceKey: string; phase?: string; orderVersion?: number; jobKey?: string }) {
  return kit.runJob(loadFulfillmentPlanContract, loadFulfillmentPlanHandler(kit.deps), {
    variables: {
      tenantId: subject.tenantId,
      orderId: subject.order.orderId,
      fulfillmentPlanId: subject.fulfillmentPlanId,
      ...(options.orderVersion === undefined ? {} : { orderVersion: options.orderVersion }),
    },
    headers: options.phase === undefined ? {} : { phase: options.phase },
    processInstanceKey: options.processInstanceKey,
    ...(options.jobKey === undefined ? {} : { jobKey: options.jobKey }),
  });
}

async function one(sql: string, params: unknown[]): Promise<Record<string, unknown>> {
  return (await kit.pool.query(sql, params)).rows[0] as Record<string, unknown>;
}

async function taskIds(started: Subject, sequences: number[]): Promise<string[]> {
  const rows = await kit.pool.query<{ id: string }>('select id from fulfillment_task where tenant_id = $1 and order_id = $2 and sequence = any($3) order by sequence', [started.tenantId, started.order.orderId, sequences]);
  return rows.rows.map((row) => row.id);
}

async function completeInTable(started: Subject, sequences: number[]): Promise<void> {
  await kit.pool.query(`update fulfillment_task set status = 'COMPLETED', completed_at = now() where tenant_id = $1 and order_id = $2 and sequence = any($3)`, [started.tenantId, started.order.orderId, sequences]);
}

describe('load-fulfillment-plan', () => {
  it('given the top-level load runs twice for the same instance, then the plan starts once: one event, plan IN_PROGRESS, order IN_FULFILLMENT, the same execution', async () => {
    const planned = await plannedOrder();
    const jobKey = newJobKey();
    const first = await load(planned, { processInstanceKey: planned.processInstanceKey, jobKey });
    const second = await load(planned, { processInstanceKey: planned.processInstanceKey, jobKey });
    expect(first.outcome).toBe('completed');
    expect(second.outcome).toBe('completed');
    expect(first.completed).toMatchObject({ planValid: true, readyTaskIds: await taskIds(planned, [3]), moreReadyTasks: true, allRequiredTasksDone: false, falloutReason: null });
    expect(second.completed).toEqual(first.completed);

    const execution = await one('select id, process_instance_key, status from fulfillment_execution where tenant_id = $1 and fulfillment_plan_id = $2', [planned.tenantId, planned.fulfillmentPlanId]);
    expect(execution).toEqual({ id: first.completed!['executionId'], process_instance_key: planned.processInstanceKey, status: 'RUNNING' });
    expect(await one('select status from fulfillment_plan where tenant_id = $1 and id = $2', [planned.tenantId, planned.fulfillmentPlanId])).toEqual({ status: 'IN_PROGRESS' });
    expect(await one('select status from customer_order where tenant_id = $1 and id = $2', [planned.tenantId, planned.order.orderId])).toEqual({ status: 'IN_FULFILLMENT' });
    const events = await kit.pool.query(`select payload from outbox where tenant_id = $1 and event_type = 'FulfillmentPlanExecutionStarted'`, [planned.tenantId]);
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].payload).toMatchObject({ fulfillmentPlanId: planned.fulfillmentPlanId, executionId: first.completed!['executionId'], processInstanceKey: planned.processInstanceKey });
  });

  it('given the plan runs under one instance, when a second instance loads it, then the job raises WORKFLOW.DUPLICATE_INSTANCE and the plan stays bound to the first', async () => {
    const started = await kit.startedOrder();
    const answer = await load(started, { processInstanceKey: '2251799813999999' });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed).toMatchObject({ retries: 0 });
    expect(answer.failed!.errorMessage).toContain('WORKFLOW.DUPLICATE_INSTANCE');
    const execution = await one('select process_instance_key from fulfillment_execution where tenant_id = $1 and fulfillment_plan_id = $2', [started.tenantId, started.fulfillmentPlanId]);
    expect(execution).toEqual({ process_instance_key: started.processInstanceKey });
  });

  it("given ready tasks in several phases, when a phase loads, then it gets only that phase's READY tasks (the ones it just promoted included)", async () => {
    const started = await kit.startedOrder();
    // 8 and 12 (RESERVATION) and 5 (PROVISIONING) become ready together.
    await completeInTable(started, [3, 4]);
    const reservation = await load(started, { processInstanceKey: started.processInstanceKey, phase: 'RESERVATION' });
    expect(reservation.outcome).toBe('completed');
    expect([...(reservation.completed!['readyTaskIds'] as string[])].sort()).toEqual((await taskIds(started, [8, 12])).sort());
    expect(reservation.completed).toMatchObject({ planValid: true, moreReadyTasks: true, allRequiredTasksDone: false, falloutReason: null });

    const validation = await load(started, { processInstanceKey: started.processInstanceKey, phase: 'VALIDATION' });
    expect(validation.completed).toMatchObject({ planValid: true, readyTaskIds: [], moreReadyTasks: false });
    const provisioning = await load(started, { processInstanceKey: started.processInstanceKey, phase: 'PROVISIONING' });
    expect(provisioning.completed).toMatchObject({ readyTaskIds: await taskIds(started, [5]), moreReadyTasks: true });
  });

  it('given the order changed under the workflow (stale orderVersion), then the job raises ORDER.VERSION_STALE and nothing changes', async () => {
    const planned = await plannedOrder();
    const answer = await load(planned, { processInstanceKey: planned.processInstanceKey, orderVersion: planned.order.orderVersion - 1 });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed!.errorMessage).toContain('ORDER.VERSION_STALE');
    expect(await one('select status from fulfillment_plan where tenant_id = $1 and id = $2', [planned.tenantId, planned.fulfillmentPlanId])).toEqual({ status: 'CREATED' });
    expect(await one('select process_instance_key from fulfillment_execution where tenant_id = $1 and fulfillment_plan_id = $2', [planned.tenantId, planned.fulfillmentPlanId])).toEqual({ process_instance_key: null });
    const events = await kit.pool.query(`select 1 from outbox where tenant_id = $1 and event_type = 'FulfillmentPlanExecutionStarted'`, [planned.tenantId]);
    expect(events.rowCount).toBe(0);
  });

  it('given the order is CANCEL_REQUESTED, then a phase load reports no ready tasks and promotes nothing', async () => {
    const started = await kit.startedOrder();
    await completeInTable(started, [3]);
    await cancelOrder(kit.pool, { tenantId: started.tenantId, orderId: started.order.orderId, reason: 'customer withdrew', actor: 'test' });
    const answer = await load(started, { processInstanceKey: started.processInstanceKey, phase: 'RESERVATION' });
    expect(answer.outcome).toBe('completed');
    expect(answer.completed).toMatchObject({ planValid: true, readyTaskIds: [], moreReadyTasks: false, falloutReason: null });
    const statuses = await kit.pool.query('select status from fulfillment_task where tenant_id = $1 and order_id = $2 and sequence = any($3)', [started.tenantId, started.order.orderId, [4, 8]]);
    expect(statuses.rows).toEqual([{ status: 'PENDING' }, { status: 'PENDING' }]);
  });
});
