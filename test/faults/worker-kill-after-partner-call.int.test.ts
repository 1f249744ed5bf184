/**
 * Fault c): the runtime is killed (SIGKILL) after a partner performed a request and before the
 * runtime committed the answer (fault point `task.after-partner-call`, let through a few times so
 * the kill lands mid-run with several orders in flight). The engine runs as a process of its own
 * and keeps the job; once the job's timeout passes, the runtime started again without the fault
 * gets the job back, finds the claimed attempt and repeats the partner call under the same
 * idempotency key: the partner answers from its memory, so every key has exactly one side effect,
 * and every order completes.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportFault } from './fault-report';
import { duplicatedEffects, startFaultRig, untilOrderEnds, type FaultRig } from './fault-a-rig';
import { expectFulfillmentInvariant } from '../process/fulfillment-invariant';

const orderCount = 3;
/** Partner calls let through before the kill: each order makes four, so this lands mid-run. */
const callsBeforeKill = 5;

vi.setConfig({ testTimeout: 300_000 });
let rig: FaultRig;

beforeAll(async () => {
  rig = await startFaultRig({ prefix: 'fault_worker_kill', separateEngine: true });
});
afterAll(async () => {
  await rig?.close();
});

describe('a worker killed between the partner call and its commit', () => {
  it('given the runtime dies after a partner performed a request, when it is started again without the fault, then every order completes and each idempotency key had one side effect', async () => {
    // A short job timeout, so the engine hands the dead worker's job out again soon.
    const first = await rig.startRuntime({ JOB_TIMEOUT_MS: '5000', FAULT_POINTS: JSON.stringify({ 'task.after-partner-call': { action: 'kill', skip: callsBeforeKill } }) });
    const orderIds = await Promise.all(Array.from({ length: orderCount }, () => rig.placeFibreOrder()));
    const exit = await Promise.race([first.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 180_000))]);
    expect(exit?.signal, 'the runtime to be killed by its fault point').toBe('SIGKILL');
    expect(first.output()).toContain('fault point task.after-partner-call: killing process');

    // In doubt: requests the partner performed whose answer the runtime never committed.
    const started = await rig.pool.query<{ idempotency_key: string; fulfillment_task_id: string }>(
      `select idempotency_key, fulfillment_task_id from external_call_attempt where tenant_id = $1 and order_id = any($2) and status = 'STARTED'`,
      [rig.tenantId, orderIds],
    );
    const inDoubt = started.rows.filter((row) => rig.simulator.effectCount(row.idempotency_key) === 1);
    expect(inDoubt.length, 'a request performed by the partner but not committed by the runtime').toBeGreaterThanOrEqual(1);

    const restartedAt = Date.now();
    await rig.startRuntime();
    const ends = await Promise.all(orderIds.map((orderId) => untilOrderEnds(rig, orderId, 180_000)));
    const recoveredMs = Date.now() - restartedAt;

    const effects = duplicatedEffects(rig);
    const replays = inDoubt.map((row) => rig.simulator.callCount(row.idempotency_key));
    const attempts = await rig.pool.query<{ task_id: string; n: number }>(
      `select fulfillment_task_id as task_id, count(*)::int as n from fulfillment_task_attempt where tenant_id = $1 and order_id = any($2) group by fulfillment_task_id having count(*) > 1`,
      [rig.tenantId, orderIds],
    );
    const completed = ends.filter((status) => status === 'COMPLETED').length;
    reportFault({
      fault: 'worker killed after partner call, before commit',
      orders: orderCount,
      completed,
      lost: orderCount - completed,
      duplicated: effects.duplicated + attempts.rows.length,
      note: `${inDoubt.length} request(s) in doubt at the kill, repeated ${replays.join('/')}× with one effect; ${effects.keys} idempotency keys; recovered in ${Math.round(recoveredMs / 1000)} s`,
    });

    expect(ends).toEqual(orderIds.map(() => 'COMPLETED'));
    expect(effects.duplicated).toBe(0);
    // The request in doubt was sent again after the restart, under the same key, and performed once.
    for (const row of inDoubt) {
      expect(rig.simulator.callCount(row.idempotency_key)).toBeGreaterThanOrEqual(2);
      expect(rig.simulator.effectCount(row.idempotency_key)).toBe(1);
    }
    // The redelivered job found its claimed attempt instead of starting a second one.
    expect(attempts.rows).toEqual([]);
    for (const orderId of orderIds) await expectFulfillmentInvariant(rig.invariantView(), orderId);
  });
});
