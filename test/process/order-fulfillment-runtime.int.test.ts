/**
 * The order fulfils end to end on the real runtime (issue: "an order runs to COMPLETED"): the
 * order-fulfillment-v1 model on the local engine, every job answered by the real handlers, partners
 * played by the simulators with signed callbacks through the HTTP route, events through the outbox
 * to Kafka. Timers move with the engine's manual clock; nothing here sleeps on a timer. Every
 * scenario ends with the seed §30 invariant (`fulfillment-invariant.ts`).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cancelOrder } from '../../connector-runtime/src/commands/cancel-order';
import { repairFallout } from '../../connector-runtime/src/commands/fallout';
import { expectFulfillmentInvariant } from './fulfillment-invariant';
import { driveToEnd, startRuntimeHarness, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_order');
});

afterAll(async () => {
  await h?.close();
});

/** Outbox rows of an order, in write order. */
async function outboxOf(orderId: string) {
  const rows = await h.runtime.pool.query<{ event_id: string; event_type: string; aggregate_id: string; aggregate_type: string; published_at: Date | null }>(
    'select event_id, event_type, aggregate_id, aggregate_type, published_at from outbox where tenant_id = $1 and correlation_id = $2 order by id',
    [h.tenantId, orderId],
  );
  return rows.rows;
}

/**
 * Every outbox event of the order arrived on Kafka exactly once, and per aggregate (Kafka key) in
 * the order the OMS wrote them.
 */
async function expectEventsDeliveredOnce(orderId: string): Promise<string[]> {
  const outbox = await h.until('every event of the order published', async () => {
    const rows = await outboxOf(orderId);
    return rows.length > 0 && rows.every((row) => row.published_at !== null) ? rows : undefined;
  });
  await h.until('every event of the order delivered', async () => {
    const got = new Set(h.delivered.filter((event) => event.correlationId === orderId).map((event) => event.eventId));
    return outbox.every((row) => got.has(row.event_id)) ? true : undefined;
  });
  const delivered = h.delivered.filter((event) => event.correlationId === orderId);
  expect(delivered.length).toBe(outbox.length);
  expect(new Set(delivered.map((event) => event.eventId)).size).toBe(outbox.length);
  const byAggregate = (ids: { aggregate: string; eventId: string }[]) => {
    const map = new Map<string, string[]>();
    for (const { aggregate, eventId } of ids) map.set(aggregate, [...(map.get(aggregate) ?? []), eventId]);
    return map;
  };
  const written = byAggregate(outbox.map((row) => ({ aggregate: row.aggregate_id, eventId: row.event_id })));
  const sorted = [...delivered].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  const received = byAggregate(sorted.map((event) => ({ aggregate: event.key, eventId: event.eventId })));
  for (const [aggregate, ids] of written) expect(received.get(aggregate)).toEqual(ids);
  return outbox.map((row) => row.event_type);
}

/** The §30 state of a completed order, read from the OMS. */
async function expectFulfilled(orderId: string): Promise<void> {
  const tasks = await h.taskStatuses(orderId);
  expect(tasks.filter((task) => !['COMPLETED', 'SKIPPED'].includes(task.status))).toEqual([]);
  const ref = await h.runtime.pool.query<{ status: string; ended_at: Date | null }>('select status, ended_at from order_workflow_ref where tenant_id = $1 and order_id = $2', [h.tenantId, orderId]);
  expect(ref.rows[0]?.status).toBe('COMPLETED');
  expect(ref.rows[0]?.ended_at).not.toBeNull();
  const assets = await h.runtime.pool.query('select 1 from installed_base_asset where tenant_id = $1 and created_by_order_id = $2', [h.tenantId, orderId]);
  expect(assets.rowCount).toBe(4);
  // The instance ended too: nothing is left open in the engine.
  const key = await h.processInstanceKey(orderId);
  const instance = await h.until('the process instance to complete', async () => {
    const response = await fetch(`${h.runtime.camunda.restAddress}/v2/process-instances/${key}`);
    const body = (await response.json()) as { state: string };
    return body.state === 'COMPLETED' ? body : undefined;
  });
  expect(instance.state).toBe('COMPLETED');
}

/** The events a bundle order implies (seed §20). */
const bundleEvents = [
  'OrderFulfillmentRequested',
  'FulfillmentPlanExecutionStarted',
  'FulfillmentTaskStarted',
  'FulfillmentTaskCompleted',
  'BillingActivationRequested',
  'BillingActivationCompleted',
  'InstalledBaseUpdated',
  'OrderFulfillmentCompleted',
];

describe('a broadband bundle order on the real runtime', () => {
  it('given simulated partners, when fulfillment starts, then the order reaches COMPLETED and every event arrives on Kafka once, in order per aggregate', async () => {
    const { order } = await h.startSampleOrder();
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectFulfilled(order.orderId);
    const types = await expectEventsDeliveredOnce(order.orderId);
    for (const type of bundleEvents) expect(types).toContain(type);
    expect(types.filter((type) => type === 'OrderFulfillmentCompleted')).toHaveLength(1);
    // One partner effect per external idempotency key.
    const simulator = h.runtime.simulator!;
    for (const call of simulator.calls()) expect(simulator.effectCount(call.idempotencyKey)).toBe(1);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given provisioning calls back twice and before the process waits, then each callback correlates once and the order completes', async () => {
    // Each callback is delivered twice under its webhook-id (a redelivery) and once more under a new
    // webhook-id (a partner re-sending the event), before the runtime has even stored the request.
    h.runtime.simulator!.configure('provisioning', { duplicateCallback: true, duplicateCallbackNewId: true, callbackFirst: true });
    try {
      const { order } = await h.startSampleOrder();
      expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
      await expectFulfilled(order.orderId);
      const inbox = await h.runtime.pool.query<{ processing_error: string | null }>(
        `select i.processing_error from callback_inbox i join external_call_attempt a on a.tenant_id = i.tenant_id and a.id = i.external_call_attempt_id
          where i.tenant_id = $1 and a.order_id = $2 and i.source_system = 'provisioning'`,
        [h.tenantId, order.orderId],
      );
      const correlations = await h.runtime.pool.query<{ correlation_key: string; status: string }>(
        `select correlation_key, status from workflow_message_correlation where tenant_id = $1 and message_name = 'provisioning-completed' and correlation_key like $2`,
        [h.tenantId, `${h.tenantId}:${order.orderId}:%`],
      );
      // Two provisioning tasks, each correlated once. The redelivery under the same webhook-id never
      // reached the inbox twice (200 DUPLICATE at the route); the re-sent event under a new webhook-id
      // was stored and recognised as a repeat.
      expect(correlations.rows).toHaveLength(2);
      expect(correlations.rows.every((row) => row.status === 'CORRELATED')).toBe(true);
      await h.until('both re-sent callbacks stored', async () => {
        const rows = await h.runtime.pool.query(`select 1 from callback_inbox where tenant_id = $1 and source_system = 'provisioning' and processing_error like 'CALLBACK.DUPLICATE%'`, [h.tenantId]);
        return (rows.rowCount ?? 0) >= 2 ? true : undefined;
      });
      expect(inbox.rows.filter((row) => row.processing_error === null)).toHaveLength(2);
      const metrics = await (await fetch(`${h.runtime.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/fulfillment_external_callback_duplicate_total\{system="provisioning"\} [1-9]/);
      await expectEventsDeliveredOnce(order.orderId);
      await expectFulfillmentInvariant(h, order.orderId);
    } finally {
      h.runtime.simulator!.reset();
    }
  });

  it('given provisioning never calls back, when the timeout fires, then fallout opens, a RETRY repair re-runs the request and the order completes', async () => {
    h.runtime.simulator!.configure('provisioning', { noCallback: true });
    const { order } = await h.startSampleOrder();
    // The fibre's provisioning (plan task 5) is the first to wait; the static IP's waits for it.
    const fibre = await h.until('the fibre provisioning task to wait for its callback', async () => {
      const task = (await h.taskStatuses(order.orderId)).find((candidate) => candidate.sequence === 5)!;
      return task.status === 'WAITING' ? task : undefined;
    });
    // Let the await subprocess open its catch and arm its timers before time moves.
    await h.until('the timeout timer to be armed', async () => {
      const key = await h.processInstanceKey(order.orderId);
      const response = await fetch(`${h.runtime.camunda.restAddress}/v2/element-instances/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { processInstanceKey: key, elementId: 'Provisioning_Await_provisioning_completed', state: 'ACTIVE' } }),
      });
      const body = (await response.json()) as { items: unknown[] };
      return body.items.length === 1 ? true : undefined;
    });
    h.runtime.simulator!.reset();
    h.clock.advance(2 * 3600_000 + 1000);

    const falloutCase = await h.until('a fallout case for the timed-out task', async () => {
      const rows = await h.runtime.pool.query<{ id: string; category: string; fulfillment_task_id: string }>(
        `select id, category, fulfillment_task_id from fallout_case where tenant_id = $1 and order_id = $2 and status = 'OPEN'`,
        [h.tenantId, order.orderId],
      );
      return rows.rows[0];
    });
    expect(falloutCase).toMatchObject({ category: 'EXTERNAL_SYSTEM_TIMEOUT', fulfillment_task_id: fibre.id });
    expect((await h.taskStatuses(order.orderId)).find((task) => task.sequence === 5)!.status).toBe('FALLOUT');

    // Operations repair it from the OMS console: RETRY.
    await repairFallout(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, falloutCaseId: falloutCase.id, outcome: 'RETRY', reason: 'Provisioning partner restored its callback queue', actor: 'ops:alice' });
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectFulfilled(order.orderId);
    const attempts = await h.runtime.pool.query<{ sequence: number; attempt_count: number }>(
      `select sequence, attempt_count from fulfillment_task where tenant_id = $1 and order_id = $2 and task_type = 'CREATE_PROVISIONING_REQUEST' order by sequence`,
      [h.tenantId, order.orderId],
    );
    expect(attempts.rows).toEqual([
      { sequence: 5, attempt_count: 2 },
      { sequence: 13, attempt_count: 1 },
    ]);
    const types = await expectEventsDeliveredOnce(order.orderId);
    for (const type of ['FulfillmentTaskTimedOut', 'FulfillmentFalloutOpened', 'FulfillmentFalloutRepaired', 'OrderFulfillmentCompleted']) expect(types).toContain(type);
    const repaired = await h.runtime.pool.query(`select status from fallout_case where tenant_id = $1 and order_id = $2`, [h.tenantId, order.orderId]);
    expect(repaired.rows).toEqual([{ status: 'REPAIRED' }]);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given provisioning refuses the request, then the task falls out at once, and after a RETRY repair the order completes', async () => {
    h.runtime.simulator!.configure('provisioning', { reject: { status: 422, code: 'INVALID_SERVICE_ADDRESS', message: 'no fibre at this address' } });
    const { order } = await h.startSampleOrder();
    const falloutCase = await h.until('a fallout case for the refused request', async () => {
      const rows = await h.runtime.pool.query<{ id: string; category: string; reason: string }>(
        `select id, category, reason from fallout_case where tenant_id = $1 and order_id = $2 and status = 'OPEN'`,
        [h.tenantId, order.orderId],
      );
      return rows.rows[0];
    });
    expect(falloutCase.category).toBe('EXTERNAL_SYSTEM_REJECTED');
    expect(falloutCase.reason).toContain('INVALID_SERVICE_ADDRESS');
    h.runtime.simulator!.reset();
    await repairFallout(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, falloutCaseId: falloutCase.id, outcome: 'RETRY', reason: 'Address corrected with the customer', actor: 'ops:alice' });
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectFulfilled(order.orderId);
    const types = await expectEventsDeliveredOnce(order.orderId);
    expect(types).toContain('FulfillmentTaskFailed');
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given a cancellation while provisioning waits, then completed effects are undone in reverse order and the order ends COMPENSATED', async () => {
    h.runtime.simulator!.configure('provisioning', { noCallback: true });
    // The router is not delivered yet either: nothing irreversible has happened.
    h.runtime.simulator!.configure('shipping', { holdCallbacks: true });
    const { order } = await h.startSampleOrder();
    await h.until('the fibre provisioning task to wait', async () => {
      const task = (await h.taskStatuses(order.orderId)).find((candidate) => candidate.sequence === 5)!;
      return task.status === 'WAITING' ? task : undefined;
    });
    await cancelOrder(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, reason: 'Customer withdrew the order', actor: 'crm:bob' });
    try {
      expect(await driveToEnd(h, order.orderId)).toBe('COMPENSATED');
    } finally {
      h.runtime.simulator!.reset();
    }
    const tasks = await h.taskStatuses(order.orderId);
    // What had completed is compensated; what had not finished is cancelled; nothing is left open.
    expect(tasks.filter((task) => task.taskType === 'RESERVE_RESOURCE').map((task) => task.status)).toEqual(['COMPENSATED', 'COMPENSATED']);
    expect(tasks.find((task) => task.sequence === 5)!.status).toBe('CANCELLED');
    expect(tasks.filter((task) => !['COMPENSATED', 'CANCELLED', 'COMPLETED'].includes(task.status))).toEqual([]);
    const steps = await h.runtime.pool.query<{ compensation_task_type: string; status: string }>(
      `select t.compensation_task_type, t.status from compensation_task t join compensation_plan p on p.tenant_id = t.tenant_id and p.id = t.compensation_plan_id
        where p.tenant_id = $1 and p.order_id = $2 order by t.sequence`,
      [h.tenantId, order.orderId],
    );
    expect(steps.rows.map((step) => step.compensation_task_type).sort()).toEqual(['CANCEL_SHIPMENT', 'RELEASE_RESOURCE', 'RELEASE_RESOURCE']);
    expect(steps.rows.every((step) => step.status === 'COMPLETED')).toBe(true);
    const types = await expectEventsDeliveredOnce(order.orderId);
    for (const type of ['CompensationStarted', 'CompensationTaskCompleted', 'OrderFulfillmentCancelled']) expect(types).toContain(type);
    await instanceEnded(order.orderId);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given a cancellation after the router was delivered, then the undo needs a person: plan fallout, and a repair decision in the form closes the order MANUAL_CLOSED', async () => {
    h.runtime.simulator!.configure('provisioning', { noCallback: true });
    const { order } = await h.startSampleOrder();
    await h.until('the router delivered and the fibre provisioning waiting', async () => {
      const tasks = await h.taskStatuses(order.orderId);
      return tasks.find((task) => task.sequence === 9)!.status === 'COMPLETED' && tasks.find((task) => task.sequence === 5)!.status === 'WAITING' ? true : undefined;
    });
    h.runtime.simulator!.reset();
    await cancelOrder(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, reason: 'Customer withdrew the order', actor: 'crm:bob' });
    const falloutCase = await h.until('the plan-level fallout for the manual review', async () => {
      const rows = await h.runtime.pool.query<{ category: string; reason: string; fulfillment_task_id: string | null }>(
        `select category, reason, fulfillment_task_id from fallout_case where tenant_id = $1 and order_id = $2 and status = 'OPEN'`,
        [h.tenantId, order.orderId],
      );
      return rows.rows[0];
    });
    expect(falloutCase).toMatchObject({ category: 'COMPENSATION_FAILED', fulfillment_task_id: null });
    expect(falloutCase.reason).toContain('COMPENSATION_MANUAL_REVIEW');
    // Operations decide in the repair form: the delivered router stays with the customer.
    const key = (await h.processInstanceKey(order.orderId))!;
    const decide = await h.until('the repair decision task', async () => (await h.technician.openTasks(key)).find((task) => task.elementId === 'PlanFallout_DecideRepair'));
    await h.technician.complete(decide.userTaskKey, {
      decision: 'SKIP_WITH_APPROVAL',
      reason: 'Router delivered before the cancellation; the customer keeps it, no return.',
      evidenceReference: 'crm-note-77',
      approvalReference: 'APPROVAL-2026-118',
    });
    expect(await driveToEnd(h, order.orderId)).toBe('MANUAL_CLOSED');
    await instanceEnded(order.orderId);
    await expectFulfillmentInvariant(h, order.orderId);
  });
});

async function instanceEnded(orderId: string): Promise<void> {
  const key = await h.processInstanceKey(orderId);
  await h.until('the process instance to end', async () => {
    const response = await fetch(`${h.runtime.camunda.restAddress}/v2/process-instances/${key}`);
    return ((await response.json()) as { state: string }).state === 'COMPLETED' ? true : undefined;
  });
}
