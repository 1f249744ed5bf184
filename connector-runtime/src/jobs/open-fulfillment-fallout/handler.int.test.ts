/**
 * Worker tests of `open-fulfillment-fallout` and the repair command (seed §17, §27): one case per
 * job however often it runs, the repair decided only through the command with its state checks,
 * and the repaired message queued for the waiting process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FalloutAlreadyResolvedError, repairFallout } from '../../commands/fallout';
import { applyFulfillmentTimeout } from '../../commands/task-execution';
import { InvalidTransitionError } from '../../errors';
import { newJobKey, openHandlerKit, taskVariables, waitingProvisioningTask, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { openFulfillmentFalloutHandler } from './handler';
import { openFulfillmentFalloutContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_fallout');
});
afterAll(async () => kit?.close());

async function taskInFallout(started: StartedOrder): Promise<string> {
  const taskId = await waitingProvisioningTask(kit, started);
  await applyFulfillmentTimeout(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);
  return taskId;
}

describe('open-fulfillment-fallout and repair', () => {
  it('given the job runs twice, then one case with the task, category and evidence, one event, and a repair view for the form', async () => {
    const started = await kit.startedOrder();
    const taskId = await taskInFallout(started);
    const jobKey = newJobKey();
    const handler = openFulfillmentFalloutHandler(kit.deps);
    const first = await kit.runJob(openFulfillmentFalloutContract, handler, { variables: { ...taskVariables(started, taskId), falloutReason: 'no callback within PT2H' }, headers: { phase: 'PROVISIONING' }, jobKey });
    const second = await kit.runJob(openFulfillmentFalloutContract, handler, { variables: { ...taskVariables(started, taskId), falloutReason: 'no callback within PT2H' }, headers: { phase: 'PROVISIONING' }, jobKey });
    expect(first.outcome).toBe('completed');
    expect(second.completed!['falloutCaseId']).toBe(first.completed!['falloutCaseId']);
    const view = first.completed!['manualTaskView'] as { allowedActions: string[]; taskDetails: string };
    expect(view.allowedActions).toContain('RETRY');
    expect(view.taskDetails).toContain('CREATE_PROVISIONING_REQUEST');
    const cases = await kit.pool.query('select category, severity, status, source_system, fulfillment_task_id from fallout_case where tenant_id = $1', [started.tenantId]);
    expect(cases.rows).toEqual([{ category: 'EXTERNAL_SYSTEM_TIMEOUT', severity: 'HIGH', status: 'OPEN', source_system: 'provisioning-adapter', fulfillment_task_id: taskId }]);
    const opened = await kit.pool.query(`select 1 from outbox where tenant_id = $1 and event_type = 'FulfillmentFalloutOpened'`, [started.tenantId]);
    expect(opened.rowCount).toBe(1);
    expect(await kit.metrics.processFallout.get()).toMatchObject({ values: expect.arrayContaining([expect.objectContaining({ labels: { tenant_id: started.tenantId, category: 'EXTERNAL_SYSTEM_TIMEOUT' } })]) });
  });

  it('given a RETRY repair, then the task is READY, the case REPAIRED, and fulfillment-fallout-repaired is queued with repairOutcome; a second repair is refused', async () => {
    const started = await kit.startedOrder();
    const taskId = await taskInFallout(started);
    const opened = await kit.runJob(openFulfillmentFalloutContract, openFulfillmentFalloutHandler(kit.deps), { variables: taskVariables(started, taskId) });
    const falloutCaseId = String(opened.completed!['falloutCaseId']);
    const repair = { tenantId: started.tenantId, orderId: started.order.orderId, falloutCaseId, outcome: 'RETRY' as const, reason: 'partner queue restored', actor: 'ops:alice' };
    await repairFallout(kit.pool, repair, kit.deps);
    const task = await kit.pool.query('select status from fulfillment_task where id = $1', [taskId]);
    expect(task.rows[0]).toEqual({ status: 'READY' });
    const correlation = await kit.pool.query('select message_name, correlation_key, variables, status from workflow_message_correlation where cause_id = $1', [falloutCaseId]);
    expect(correlation.rows).toEqual([{ message_name: 'fulfillment-fallout-repaired', correlation_key: `${started.tenantId}:${started.order.orderId}:${taskId}`, variables: { repairOutcome: 'RETRY' }, status: 'PENDING' }]);
    await expect(repairFallout(kit.pool, repair, kit.deps)).rejects.toBeInstanceOf(FalloutAlreadyResolvedError);
  });

  it('given a repair that does not fit the task (RESUME of an unresolved task), then it is refused and nothing changes', async () => {
    const started = await kit.startedOrder();
    const taskId = await taskInFallout(started);
    const opened = await kit.runJob(openFulfillmentFalloutContract, openFulfillmentFalloutHandler(kit.deps), { variables: taskVariables(started, taskId) });
    await expect(
      repairFallout(kit.pool, { tenantId: started.tenantId, orderId: started.order.orderId, falloutCaseId: String(opened.completed!['falloutCaseId']), outcome: 'RESUME', reason: 'looks fine to me', actor: 'ops:bob' }, kit.deps),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    const cases = await kit.pool.query('select status from fallout_case where tenant_id = $1', [started.tenantId]);
    expect(cases.rows).toEqual([{ status: 'OPEN' }]);
  });

  it('given plan-level fallout (the plan id in the task slot), then the case has no task and a category from the reason code', async () => {
    const started = await kit.startedOrder();
    const answer = await kit.runJob(openFulfillmentFalloutContract, openFulfillmentFalloutHandler(kit.deps), {
      variables: { ...taskVariables(started, started.fulfillmentPlanId), falloutReason: 'ASSET_VERSION_CONFLICT: asset changed by another order' },
      headers: { severity: 'HIGH' },
    });
    expect(answer.outcome).toBe('completed');
    const cases = await kit.pool.query('select category, fulfillment_task_id from fallout_case where tenant_id = $1', [started.tenantId]);
    expect(cases.rows).toEqual([{ category: 'INSTALLED_BASE_CONFLICT', fulfillment_task_id: null }]);
  });
});
