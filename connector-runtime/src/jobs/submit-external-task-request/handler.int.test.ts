/**
 * Worker tests of `submit-external-task-request` and `apply-external-task-result` (seed §10, §27):
 * one request per attempt whatever the redeliveries, the callback applied from stored evidence, a
 * duplicate callback correlated once, an unknown correlation id refused with a stored reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCallback } from '../../commands/process-callback';
import { insertCallbackInbox } from '../../store/queries/insert-callback-inbox';
import { applyExternalTaskResultHandler } from '../apply-external-task-result/handler';
import { applyExternalTaskResultContract } from '../apply-external-task-result/schema';
import { claimTask, newJobKey, openHandlerKit, taskVariables, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { submitExternalTaskRequestHandler } from './handler';
import { submitExternalTaskRequestContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_submit');
});
afterAll(async () => kit?.close());

type Started = StartedOrder;
const variables = taskVariables;
const claimedProvisioningTask = (started: Started) => claimTask(kit, started, 5, [3, 4]);

async function storeCallback(started: Started, externalCorrelationId: string, outcome = 'SUCCEEDED'): Promise<string> {
  const payload = { externalCorrelationId, outcome, reference: 'prov-77' };
  const stored = await insertCallbackInbox(kit.pool, {
    tenantId: started.tenantId,
    id: randomUUID(),
    sourceSystem: 'provisioning',
    webhookId: `msg_${randomUUID()}`,
    webhookTimestamp: new Date().toISOString(),
    headers: {},
    rawPayload: JSON.stringify(payload),
    payload,
    payloadHash: randomUUID(),
    externalCorrelationId,
  });
  return stored.id;
}

describe('submit-external-task-request and apply-external-task-result', () => {
  it('given the submit job delivered twice, then the partner gets one request and the task waits', async () => {
    const started = await kit.startedOrder();
    const taskId = await claimedProvisioningTask(started);
    const jobKey = newJobKey();
    const handler = submitExternalTaskRequestHandler(kit.deps);
    const first = await kit.runJob(submitExternalTaskRequestContract, handler, { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' }, jobKey });
    const second = await kit.runJob(submitExternalTaskRequestContract, handler, { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' }, jobKey });
    expect(first.completed).toEqual({ currentTaskResult: 'WAITING', taskTimeout: 'PT2H', taskReminder: 'PT5400S', falloutReason: null });
    expect(second.completed).toEqual(first.completed);
    const calls = kit.partners.provisioning.calls.filter((call) => call.taskId === taskId);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.idempotencyKey).toBe(`${started.tenantId}:${started.order.orderId}:${taskId}:SUBMIT-1`);
    const external = await kit.pool.query('select status from external_call_attempt where fulfillment_task_id = $1', [taskId]);
    expect(external.rows).toEqual([{ status: 'SUBMITTED' }]);
  });

  it('given a callback stored twice under two webhook ids, then one correlation, and the result job completes the task from the evidence', async () => {
    const started = await kit.startedOrder();
    const taskId = await claimedProvisioningTask(started);
    await kit.runJob(submitExternalTaskRequestContract, submitExternalTaskRequestHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    const correlationId = kit.partners.provisioning.calls.find((call) => call.taskId === taskId)!.externalCorrelationId;
    const first = await processCallback(kit.pool, { tenantId: started.tenantId, callbackId: await storeCallback(started, correlationId) }, kit.deps);
    const second = await processCallback(kit.pool, { tenantId: started.tenantId, callbackId: await storeCallback(started, correlationId) }, kit.deps);
    expect(first.kind).toBe('CORRELATED');
    expect(second.kind).toBe('DUPLICATE');
    const correlations = await kit.pool.query('select message_name, correlation_key from workflow_message_correlation where aggregate_id = $1', [taskId]);
    expect(correlations.rows).toEqual([{ message_name: 'provisioning-completed', correlation_key: `${started.tenantId}:${started.order.orderId}:${taskId}` }]);

    const applied = await kit.runJob(applyExternalTaskResultContract, applyExternalTaskResultHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(applied.completed).toMatchObject({ currentTaskResult: 'COMPLETED', falloutReason: null });
    const again = await kit.runJob(applyExternalTaskResultContract, applyExternalTaskResultHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(again.completed).toMatchObject({ currentTaskResult: 'COMPLETED' });
    const completedEvents = await kit.pool.query(`select 1 from outbox where aggregate_id = $1 and event_type = 'FulfillmentTaskCompleted'`, [taskId]);
    expect(completedEvents.rowCount).toBe(1);
  });

  it('given a callback naming an unknown correlation id, then it is rejected with a stored reason and nothing else changes', async () => {
    const started = await kit.startedOrder();
    const callbackId = await storeCallback(started, 'no-such-request');
    const outcome = await processCallback(kit.pool, { tenantId: started.tenantId, callbackId }, kit.deps);
    expect(outcome).toEqual({ kind: 'REJECTED', reason: expect.stringContaining('CALLBACK.UNKNOWN_CORRELATION') });
    const inbox = await kit.pool.query<{ processing_error: string; processed_at: Date | null }>('select processing_error, processed_at from callback_inbox where id = $1', [callbackId]);
    expect(inbox.rows[0]!.processing_error).toContain('no provisioning request has external correlation id no-such-request');
    expect(inbox.rows[0]!.processed_at).not.toBeNull();
    const correlations = await kit.pool.query('select 1 from workflow_message_correlation where tenant_id = $1', [started.tenantId]);
    expect(correlations.rowCount).toBe(0);
  });

  it('given the process resumed without a stored callback, then the result job raises an incident instead of guessing', async () => {
    const started = await kit.startedOrder();
    const taskId = await claimedProvisioningTask(started);
    await kit.runJob(submitExternalTaskRequestContract, submitExternalTaskRequestHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    const answer = await kit.runJob(applyExternalTaskResultContract, applyExternalTaskResultHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(answer.outcome).toBe('incident');
    expect(answer.failed!.errorMessage).toContain('CALLBACK.EVIDENCE_MISSING');
  });

  it('given the partner reported a failure in its callback, then the task falls out with the partner reason', async () => {
    const started = await kit.startedOrder();
    const taskId = await claimedProvisioningTask(started);
    await kit.runJob(submitExternalTaskRequestContract, submitExternalTaskRequestHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    const correlationId = kit.partners.provisioning.calls.find((call) => call.taskId === taskId)!.externalCorrelationId;
    await processCallback(kit.pool, { tenantId: started.tenantId, callbackId: await storeCallback(started, correlationId, 'FAILED') }, kit.deps);
    const answer = await kit.runJob(applyExternalTaskResultContract, applyExternalTaskResultHandler(kit.deps), { variables: variables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(answer.completed).toMatchObject({ currentTaskResult: 'FALLOUT' });
  });
});
