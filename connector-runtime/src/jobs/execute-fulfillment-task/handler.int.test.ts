/**
 * Worker tests of `execute-fulfillment-task` (seed §27): idempotent redelivery, transient failure,
 * business fallout, stale order version, invalid task state — each through the real job adapter and
 * PostgreSQL, with a partner that records its calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newJobKey, openHandlerKit, type HandlerKit } from '../fixtures/handler-test-kit';
import { executeFulfillmentTaskHandler } from './handler';
import { executeFulfillmentTaskContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_execute');
});
afterAll(async () => kit?.close());

const serviceability = 3;

async function run(started: Awaited<ReturnType<HandlerKit['startedOrder']>>, taskId: string, options: { jobKey?: string; retries?: number; orderVersion?: number; phase?: string } = {}) {
  return kit.runJob(executeFulfillmentTaskContract, executeFulfillmentTaskHandler(kit.deps), {
    variables: { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, currentTaskId: taskId, ...(options.orderVersion === undefined ? {} : { orderVersion: options.orderVersion }) },
    headers: { phase: options.phase ?? 'VALIDATION' },
    ...(options.jobKey === undefined ? {} : { jobKey: options.jobKey }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
}

async function rows(sql: string, params: unknown[]) {
  return (await kit.pool.query(sql, params)).rows;
}

describe('execute-fulfillment-task', () => {
  it('given the same job delivered twice, then one attempt, one partner call, one completion event, the same answer', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(serviceability);
    const jobKey = newJobKey();
    const callsBefore = kit.partners.inventory.calls.length;
    const first = await run(started, taskId, { jobKey });
    const second = await run(started, taskId, { jobKey });
    expect(first.outcome).toBe('completed');
    expect(second.outcome).toBe('completed');
    expect(first.completed).toMatchObject({ currentTaskResult: 'COMPLETED', currentTaskType: 'CHECK_SERVICEABILITY', taskExecutionMode: 'AUTOMATED_SYNC', falloutReason: null });
    expect(second.completed).toEqual(first.completed);
    expect(kit.partners.inventory.calls.length - callsBefore).toBe(1);
    expect(kit.partners.inventory.calls.at(-1)!.idempotencyKey).toBe(`${started.tenantId}:${started.order.orderId}:${taskId}:EXECUTE-1`);
    expect(await rows('select attempt_no, status from fulfillment_task_attempt where fulfillment_task_id = $1', [taskId])).toEqual([{ attempt_no: 1, status: 'SUCCEEDED' }]);
    expect(await rows(`select event_type from outbox where aggregate_id = $1 and event_type = 'FulfillmentTaskCompleted'`, [taskId])).toHaveLength(1);
    expect(await rows(`select evidence_kind from task_evidence where fulfillment_task_id = $1`, [taskId])).toEqual([{ evidence_kind: 'PARTNER_RESPONSE' }]);
  });

  it('given the partner answers 503, then the job is failed with retries - 1 and the task policy back-off, and the retry calls with the same key', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(serviceability);
    const jobKey = newJobKey();
    kit.partners.inventory.failures.push('transient');
    const failed = await run(started, taskId, { jobKey, retries: 3 });
    expect(failed.outcome).toBe('retry');
    expect(failed.failed).toMatchObject({ retries: 2, retryBackOff: 30_000 });
    expect(failed.failed!.errorMessage).toContain('PARTNER.UNAVAILABLE');
    expect(await rows('select status from fulfillment_task_attempt where fulfillment_task_id = $1', [taskId])).toEqual([{ status: 'STARTED' }]);
    const retried = await run(started, taskId, { jobKey, retries: 2 });
    expect(retried.completed).toMatchObject({ currentTaskResult: 'COMPLETED' });
    const keys = kit.partners.inventory.calls.filter((call) => call.taskId === taskId).map((call) => call.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
  });

  it('given the partner rejects the request, then the task falls out: FAILED then FALLOUT with their events, and the job routes to fallout', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(serviceability);
    kit.partners.inventory.failures.push('reject');
    const answer = await run(started, taskId);
    expect(answer.outcome).toBe('completed');
    expect(answer.completed).toMatchObject({ currentTaskResult: 'FALLOUT' });
    expect(String(answer.completed!['falloutReason'])).toContain('NO_CAPACITY');
    const events = await rows(`select event_type from outbox where aggregate_id = $1 order by id`, [taskId]);
    expect(events.map((row) => row.event_type)).toEqual(['FulfillmentTaskStarted', 'FulfillmentTaskFailed', 'FulfillmentTaskFallout']);
    expect(await rows('select last_failure_code from fulfillment_task where id = $1', [taskId])).toEqual([{ last_failure_code: 'EXTERNAL_SYSTEM_REJECTED' }]);
  });

  it('given the order changed under the workflow (stale orderVersion), then the job raises an incident with ORDER.VERSION_STALE and nothing changes', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(serviceability);
    const answer = await run(started, taskId, { orderVersion: started.order.orderVersion - 1 });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed!.errorMessage).toContain('ORDER.VERSION_STALE');
    expect(await rows('select status from fulfillment_task where id = $1', [taskId])).toEqual([{ status: 'READY' }]);
  });

  it('given a task that is not ready, then the job is rejected (incident, TASK.INVALID_TRANSITION) and no partner is called', async () => {
    const started = await kit.startedOrder();
    const pending = await started.taskId(4);
    const calls = kit.partners.inventory.calls.length;
    const answer = await run(started, pending, { phase: 'RESERVATION' });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed!.errorMessage).toContain('TASK.INVALID_TRANSITION');
    expect(kit.partners.inventory.calls.length).toBe(calls);
  });

  it('given a task of another phase, then it is a bug in the model (incident, TASK.WRONG_PHASE)', async () => {
    const started = await kit.startedOrder();
    const answer = await run(started, await started.taskId(serviceability), { phase: 'ACTIVATION' });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed!.errorMessage).toContain('TASK.WRONG_PHASE');
  });
});
