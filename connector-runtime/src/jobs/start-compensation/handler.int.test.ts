/**
 * Worker tests of `start-compensation` and `execute-compensation-task` (seed §16, §25, §27): a
 * cancelled order's compensation plan holds one step per completed compensatable task, latest
 * completion first, and is built once; what never started is cancelled; each step undoes its effect
 * through the owner system once, however often its job is delivered; a rejected undo is fallout;
 * a partner call still in flight makes the start wait (retry), never guess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrder } from '../../commands/cancel-order';
import { executeFulfillmentTask } from '../../commands/task-execution';
import { executeCompensationTaskHandler } from '../execute-compensation-task/handler';
import { executeCompensationTaskContract } from '../execute-compensation-task/schema';
import { newJobKey, openHandlerKit, taskVariables, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { startCompensationHandler } from './handler';
import { startCompensationContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_compensation');
});
afterAll(async () => kit?.close());

/**
 * Runs the READY synchronous tasks at `sequences` through the execute command, in that order, one
 * second apart on the clock, so their completion order is known.
 */
async function completeInOrder(started: StartedOrder, sequences: number[]): Promise<void> {
  const base = Date.now() - 60_000;
  for (const [index, sequence] of sequences.entries()) {
    const taskId = await started.taskId(sequence);
    const at = new Date(base + index * 1000).toISOString();
    await executeFulfillmentTask(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, { ...kit.deps, now: () => at });
  }
}

async function cancel(started: StartedOrder): Promise<void> {
  await cancelOrder(kit.pool, { tenantId: started.tenantId, orderId: started.order.orderId, reason: 'customer withdrew', actor: 'test' });
}

function startJob(started: StartedOrder, jobKey = newJobKey()) {
  return kit.runJob(startCompensationContract, startCompensationHandler(kit.deps), {
    variables: { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId },
    headers: { compensationReason: 'ORDER_CANCELLED' },
    jobKey,
  });
}

function stepJob(started: StartedOrder, compensationTaskId: string, jobKey = newJobKey()) {
  return kit.runJob(executeCompensationTaskContract, executeCompensationTaskHandler(kit.deps), {
    variables: { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, compensationTaskId },
    jobKey,
  });
}

async function statusBySequence(started: StartedOrder): Promise<Record<number, string>> {
  const rows = await kit.pool.query<{ sequence: number; status: string }>('select sequence, status from fulfillment_task where tenant_id = $1 and order_id = $2', [started.tenantId, started.order.orderId]);
  return Object.fromEntries(rows.rows.map((row) => [row.sequence, row.status]));
}

async function countEvents(started: StartedOrder, eventType: string): Promise<number> {
  return (await kit.pool.query('select 1 from outbox where tenant_id = $1 and event_type = $2', [started.tenantId, eventType])).rowCount ?? 0;
}

describe('start-compensation and execute-compensation-task', () => {
  it('given a cancelled order with completed tasks, when start-compensation runs twice, then one plan: steps for the completed compensatable tasks, latest completion first, the rest cancelled, one CompensationStarted', async () => {
    const started = await kit.startedOrder();
    // Serviceability (3) is not compensatable; 8 completes before 4 although it comes later in the plan.
    await completeInOrder(started, [3, 8, 4, 12]);
    await cancel(started);
    const first = await startJob(started);
    const second = await startJob(started);
    expect(first.outcome).toBe('completed');
    expect(second.completed).toEqual(first.completed);
    expect(first.completed).toMatchObject({ requiresManualReview: false });

    const steps = await kit.pool.query<{ id: string; source_sequence: number; compensation_task_type: string; status: string }>(
      `select c.id, t.sequence as source_sequence, c.compensation_task_type, c.status
         from compensation_task c join fulfillment_task t on t.tenant_id = c.tenant_id and t.id = c.source_task_id
        where c.tenant_id = $1 order by c.sequence`,
      [started.tenantId],
    );
    expect(steps.rows.map(({ source_sequence, compensation_task_type, status }) => ({ source_sequence, compensation_task_type, status }))).toEqual([
      { source_sequence: 12, compensation_task_type: 'RELEASE_RESOURCE', status: 'PLANNED' },
      { source_sequence: 4, compensation_task_type: 'RELEASE_RESOURCE', status: 'PLANNED' },
      { source_sequence: 8, compensation_task_type: 'CANCEL_SHIPMENT', status: 'PLANNED' },
    ]);
    expect(first.completed!['compensationTaskIds']).toEqual(steps.rows.map((row) => row.id));
    const plans = await kit.pool.query('select id, status from compensation_plan where tenant_id = $1', [started.tenantId]);
    expect(plans.rows).toEqual([{ id: first.completed!['compensationPlanId'], status: 'IN_PROGRESS' }]);
    const statuses = await statusBySequence(started);
    expect([3, 4, 8, 12].map((sequence) => statuses[sequence])).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    for (const sequence of [1, 2, 5, 6, 7, 9, 10, 11, 13, 14, 15]) expect(statuses[sequence], `task ${sequence}`).toBe('CANCELLED');
    expect(await countEvents(started, 'CompensationStarted')).toBe(1);
  });

  it('given the plan, when each step runs (and its job is redelivered), then the owner system is called once per step with the COMPENSATE key, the original task is COMPENSATED and the plan COMPLETED', async () => {
    const started = await kit.startedOrder();
    await completeInOrder(started, [3, 8, 4]);
    await cancel(started);
    const stepIds = (await startJob(started)).completed!['compensationTaskIds'] as string[];
    expect(stepIds).toHaveLength(2);
    const callsOf = () => [...kit.partners.inventory.calls, ...kit.partners.shipping.calls].filter((call) => stepIds.includes(call.taskId));

    for (const stepId of stepIds) {
      const jobKey = newJobKey();
      const answer = await stepJob(started, stepId, jobKey);
      const redelivered = await stepJob(started, stepId, jobKey);
      expect(answer.completed).toEqual({ compensationTaskResult: 'COMPLETED', falloutReason: null });
      expect(redelivered.completed).toEqual(answer.completed);
    }
    expect(callsOf().map((call) => call.idempotencyKey)).toEqual([
      `${started.tenantId}:${started.order.orderId}:${stepIds[0]}:COMPENSATE-RELEASE_RESOURCE`,
      `${started.tenantId}:${started.order.orderId}:${stepIds[1]}:COMPENSATE-CANCEL_SHIPMENT`,
    ]);
    const statuses = await statusBySequence(started);
    expect([statuses[3], statuses[4], statuses[8]]).toEqual(['COMPLETED', 'COMPENSATED', 'COMPENSATED']);
    expect(await countEvents(started, 'CompensationTaskCompleted')).toBe(2);
    const plan = await kit.pool.query('select status from compensation_plan where tenant_id = $1', [started.tenantId]);
    expect(plan.rows).toEqual([{ status: 'COMPLETED' }]);
    const evidence = await kit.pool.query(`select 1 from task_evidence where tenant_id = $1 and evidence_kind = 'COMPENSATION'`, [started.tenantId]);
    expect(evidence.rowCount).toBe(2);
  });

  it('given the owner system rejects the undo, then the step is FAILED with CompensationFailed and a COMPENSATION_FAILED fallout reason, and the task is not marked compensated', async () => {
    const started = await kit.startedOrder();
    await completeInOrder(started, [3, 4]);
    await cancel(started);
    const [stepId] = (await startJob(started)).completed!['compensationTaskIds'] as string[];
    kit.partners.inventory.failures.push('reject');
    const answer = await stepJob(started, stepId!);
    expect(answer.outcome).toBe('completed');
    expect(answer.completed!['compensationTaskResult']).toBe('FAILED');
    expect(String(answer.completed!['falloutReason'])).toMatch(/^COMPENSATION_FAILED: .*NO_CAPACITY/);
    expect(await countEvents(started, 'CompensationFailed')).toBe(1);
    expect((await statusBySequence(started))[4]).toBe('COMPLETED');
    const rows = await kit.pool.query('select c.status as step, p.status as plan from compensation_task c join compensation_plan p on p.tenant_id = c.tenant_id and p.id = c.compensation_plan_id where c.tenant_id = $1', [started.tenantId]);
    expect(rows.rows).toEqual([{ step: 'FAILED', plan: 'FAILED' }]);
  });

  it('given a rejected step, when it runs again after repair, then the owner system is asked again before the task counts as compensated', async () => {
    const started = await kit.startedOrder();
    await completeInOrder(started, [3, 4]);
    await cancel(started);
    const [stepId] = (await startJob(started)).completed!['compensationTaskIds'] as string[];
    kit.partners.inventory.failures.push('reject');
    await stepJob(started, stepId!);
    const retried = await stepJob(started, stepId!);
    expect(retried.completed).toEqual({ compensationTaskResult: 'COMPLETED', falloutReason: null });
    // An undo is only done when the owner system said so: the retry must reach it.
    expect(kit.partners.inventory.calls.filter((call) => call.taskId === stepId).map((call) => call.idempotencyKey)).toEqual([
      `${started.tenantId}:${started.order.orderId}:${stepId}:COMPENSATE-RELEASE_RESOURCE`,
      `${started.tenantId}:${started.order.orderId}:${stepId}:COMPENSATE-RELEASE_RESOURCE-2`,
    ]);
    expect((await statusBySequence(started))[4]).toBe('COMPENSATED');
  });

  it('given a task IN_PROGRESS with its partner call in flight, then start-compensation fails transiently (job retried) and builds nothing', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(3);
    // The worker claimed the task and recorded its call, then the partner took its time.
    kit.partners.inventory.failures.push('transient');
    await expect(executeFulfillmentTask(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps)).rejects.toThrow('503');
    const inFlight = await kit.pool.query('select status from external_call_attempt where fulfillment_task_id = $1', [taskId]);
    expect(inFlight.rows).toEqual([{ status: 'STARTED' }]);
    await cancel(started);

    const answer = await startJob(started);
    expect(answer.outcome).toBe('retry');
    expect(answer.failed).toMatchObject({ retries: 2 });
    expect(answer.failed!.errorMessage).toContain('COMPENSATION.TASK_IN_FLIGHT');
    expect((await kit.pool.query('select 1 from compensation_plan where tenant_id = $1', [started.tenantId])).rowCount).toBe(0);
    expect((await statusBySequence(started))[3]).toBe('IN_PROGRESS');
  });
});
