/**
 * Fault b): partner callbacks that arrive before the process waits for them. Every asynchronous
 * partner (provisioning, billing) posts its signed callback *before* it answers the request, so the
 * callback is stored, processed and turned into a message while the submit job still waits for the
 * partner's answer — before the task is WAITING and before the engine has opened the message catch.
 * 1,000 such callbacks, each for a task of its own (the model has exactly one callback per
 * asynchronous task, and a FIBER-500 order has two: provisioning and billing), from 500 orders placed
 * through the order API on the real runtime process: every callback correlates, no order is lost,
 * nothing is correlated twice. (1,000 orders, 2,000 callbacks, also pass, but take about 6 minutes
 * on a loaded 2-core machine: too long for the suite.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportFault } from './fault-report';
import { startFaultRig, type FaultRig } from './fault-a-rig';
import { expectFulfillmentInvariant } from '../process/fulfillment-invariant';

const orderCount = 500;
/** Orders placed and not yet completed, at most. */
const inFlight = 60;
/** Order API requests in flight at once while the orders are placed. */
const placing = 8;

vi.setConfig({ testTimeout: 420_000 });
let rig: FaultRig;

beforeAll(async () => {
  rig = await startFaultRig({ prefix: 'fault_early_callback', simulatorDefaults: { callbackFirst: true } });
  await rig.startRuntime();
});
afterAll(async () => {
  await rig?.close();
});

describe('callbacks that arrive before the subscription exists', () => {
  it(`given ${orderCount} orders whose partners call back before answering, then every callback correlates once and every order completes`, async () => {
    const startedAt = Date.now();
    const orderIds: string[] = [];
    const completedCount = async () =>
      (await rig.pool.query<{ n: number }>(`select count(*)::int as n from customer_order where tenant_id = $1 and id = any($2) and status = 'COMPLETED'`, [rig.tenantId, orderIds])).rows[0]!.n;
    // Orders go in as earlier ones complete, at most `inFlight` at once: the load of a steady
    // stream rather than of 1,000 instances started in one go.
    let completed = 0;
    while (orderIds.length < orderCount) {
      const room = Math.min(inFlight - (orderIds.length - completed), orderCount - orderIds.length);
      if (room > 0) {
        let left = room;
        await Promise.all(
          Array.from({ length: Math.min(placing, room) }, async () => {
            while (left > 0) {
              left -= 1;
              orderIds.push(await rig.placeFibreOrder());
            }
          }),
        );
      } else await new Promise((resolve) => setTimeout(resolve, 200));
      completed = await completedCount();
    }
    await rig
      .until(
        `all ${orderCount} orders to complete`,
        async () => {
          completed = await completedCount();
          return completed === orderCount ? true : undefined;
        },
        300_000,
        500,
      )
      .catch(() => undefined);
    const elapsedMs = Date.now() - startedAt;
    const statuses = await rig.pool.query<{ status: string; n: number }>(`select status, count(*)::int as n from customer_order where tenant_id = $1 and id = any($2) group by status`, [rig.tenantId, orderIds]);

    // Each asynchronous task: its callback, and where it stands against the task's wait.
    const tasks = await rig.pool.query<{ task_id: string; task_status: string; inbox: number; rejected: number; correlations: number; early: boolean }>(
      `select t.id as task_id, t.status as task_status,
              (select count(*)::int from callback_inbox i join external_call_attempt c on c.tenant_id = i.tenant_id and c.id = i.external_call_attempt_id
                where c.tenant_id = t.tenant_id and c.fulfillment_task_id = t.id) as inbox,
              (select count(*)::int from callback_inbox i join external_call_attempt c on c.tenant_id = i.tenant_id and c.id = i.external_call_attempt_id
                where c.tenant_id = t.tenant_id and c.fulfillment_task_id = t.id and i.processing_error is not null) as rejected,
              (select count(*)::int from workflow_message_correlation m where m.tenant_id = t.tenant_id and m.aggregate_id = t.id and m.status = 'CORRELATED') as correlations,
              -- the message was written before the task even started to wait (the catch opens only after that)
              coalesce((select min(m.created_at) from workflow_message_correlation m where m.tenant_id = t.tenant_id and m.aggregate_id = t.id)
                < (select min(a.at) from audit_log a where a.tenant_id = t.tenant_id and a.entity_id = t.id and a.state_after = 'WAITING'), false) as early
         from fulfillment_task t
        where t.tenant_id = $1 and t.order_id = any($2) and t.execution_mode = 'AUTOMATED_ASYNC'`,
      [rig.tenantId, orderIds],
    );
    const callbacks = tasks.rows.length;
    const correlatedOnce = tasks.rows.filter((task) => task.inbox === 1 && task.rejected === 0 && task.correlations === 1).length;
    const early = tasks.rows.filter((task) => task.early).length;
    const attempts = rig.simulator.callbackAttempts();
    const deliveredFirstTry = attempts.filter((attempt) => attempt.attempt === 1 && attempt.status === 202).length;
    reportFault({
      fault: `callbacks before the subscription (${2 * orderCount} callbacks)`,
      orders: orderCount,
      completed,
      lost: orderCount - completed + (callbacks - correlatedOnce),
      duplicated: tasks.rows.reduce((sum, task) => sum + Math.max(0, task.correlations - 1) + Math.max(0, task.inbox - 1), 0),
      note: `${correlatedOnce} of ${callbacks} callbacks correlated once, ${early} written before their task waited; ${deliveredFirstTry} accepted at the first try; ${orderCount} orders (≤ ${inFlight} in flight) done in ${Math.round(elapsedMs / 1000)} s`,
    });

    expect(statuses.rows).toEqual([{ status: 'COMPLETED', n: orderCount }]);
    expect(callbacks).toBe(2 * orderCount);
    expect(correlatedOnce).toBe(callbacks);
    expect(tasks.rows.filter((task) => task.task_status !== 'COMPLETED')).toEqual([]);
    // Every callback came before its task waited: the fault really was "before the subscription".
    expect(early).toBe(callbacks);
    expect(deliveredFirstTry).toBe(callbacks);
    const unprocessed = await rig.pool.query('select 1 from callback_inbox where tenant_id = $1 and processed_at is null', [rig.tenantId]);
    expect(unprocessed.rowCount).toBe(0);
    // The full invariant on a spread of the orders (it reads the engine per order).
    for (const orderId of orderIds.filter((_, index) => index % 100 === 0)) await expectFulfillmentInvariant(rig.invariantView(), orderId);
  });
});
