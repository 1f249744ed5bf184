/**
 * Worker tests of `apply-fulfillment-timeout` (seed §14, §27): the task's policy decides — a soft
 * reminder keeps waiting, OPEN_FALLOUT falls out with the policy's category, RETRY makes the task
 * ready again — and a late callback of the timed-out attempt is kept as evidence, not correlated.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCallback } from '../../commands/process-callback';
import { insertCallbackInbox } from '../../store/queries/insert-callback-inbox';
import { newJobKey, openHandlerKit, taskVariables, waitingProvisioningTask, type HandlerKit } from '../fixtures/handler-test-kit';
import { applyFulfillmentTimeoutHandler } from './handler';
import { applyFulfillmentTimeoutContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_timeout');
});
afterAll(async () => kit?.close());

describe('apply-fulfillment-timeout', () => {
  it('given a soft reminder, then evidence and a reminder event are recorded and the task keeps waiting', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingProvisioningTask(kit, started);
    const answer = await kit.runJob(applyFulfillmentTimeoutContract, applyFulfillmentTimeoutHandler(kit.deps), { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING', timeoutKind: 'SOFT_REMINDER' } });
    expect(answer.completed).toEqual({ currentTaskResult: 'WAITING', timeoutAction: 'REMIND', falloutReason: null });
    const evidence = await kit.pool.query('select evidence_kind from task_evidence where fulfillment_task_id = $1 order by recorded_at', [taskId]);
    expect(evidence.rows.map((row) => row.evidence_kind)).toContain('REMINDER');
    const events = await kit.pool.query(`select 1 from outbox where aggregate_id = $1 and event_type = 'FulfillmentTaskReminderSent'`, [taskId]);
    expect(events.rowCount).toBe(1);
  });

  it('given the hard timeout with policy OPEN_FALLOUT, then TIMED_OUT then FALLOUT with the policy category, and a late callback is stored but not correlated', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingProvisioningTask(kit, started);
    const answer = await kit.runJob(applyFulfillmentTimeoutContract, applyFulfillmentTimeoutHandler(kit.deps), { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(answer.completed).toMatchObject({ currentTaskResult: 'FALLOUT', timeoutAction: 'OPEN_FALLOUT' });
    const task = await kit.pool.query('select status, last_failure_code from fulfillment_task where id = $1', [taskId]);
    expect(task.rows[0]).toEqual({ status: 'FALLOUT', last_failure_code: 'EXTERNAL_SYSTEM_TIMEOUT' });
    const events = await kit.pool.query(`select event_type from outbox where aggregate_id = $1 order by id`, [taskId]);
    expect(events.rows.map((row) => row.event_type).slice(-2)).toEqual(['FulfillmentTaskTimedOut', 'FulfillmentTaskFallout']);

    // The partner answers after all: the answer is evidence, the task no longer waits for it.
    const correlationId = kit.partners.provisioning.calls.find((call) => call.taskId === taskId)!.externalCorrelationId;
    const payload = { externalCorrelationId: correlationId, outcome: 'SUCCEEDED' };
    const stored = await insertCallbackInbox(kit.pool, { tenantId: started.tenantId, id: randomUUID(), sourceSystem: 'provisioning', webhookId: `msg_${randomUUID()}`, webhookTimestamp: new Date().toISOString(), headers: {}, rawPayload: JSON.stringify(payload), payload, payloadHash: 'x', externalCorrelationId: correlationId });
    expect((await processCallback(kit.pool, { tenantId: started.tenantId, callbackId: stored.id }, kit.deps)).kind).toBe('SUPERSEDED');
    const correlations = await kit.pool.query('select 1 from workflow_message_correlation where aggregate_id = $1', [taskId]);
    expect(correlations.rowCount).toBe(0);
  });

  it('given the job redelivered after the timeout was applied, then nothing more happens', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingProvisioningTask(kit, started);
    const jobKey = newJobKey();
    const handler = applyFulfillmentTimeoutHandler(kit.deps);
    await kit.runJob(applyFulfillmentTimeoutContract, handler, { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING' }, jobKey });
    const again = await kit.runJob(applyFulfillmentTimeoutContract, handler, { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING' }, jobKey });
    expect(again.completed).toMatchObject({ currentTaskResult: 'FALLOUT' });
    const timedOut = await kit.pool.query(`select 1 from outbox where aggregate_id = $1 and event_type = 'FulfillmentTaskTimedOut'`, [taskId]);
    expect(timedOut.rowCount).toBe(1);
  });

  it('given a RETRY policy, then the task is READY again and the process loops back to execute it', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingProvisioningTask(kit, started);
    await kit.pool.query(`update fulfillment_task set timeout_policy = '{"timeout":"PT2H","onTimeout":"RETRY"}' where id = $1`, [taskId]);
    const answer = await kit.runJob(applyFulfillmentTimeoutContract, applyFulfillmentTimeoutHandler(kit.deps), { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(answer.completed).toMatchObject({ currentTaskResult: 'READY', timeoutAction: 'RETRY' });
  });

  it('given a CANCEL policy, then the task times out and the order\'s cancellation is requested, with the cancel message queued for the process', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingProvisioningTask(kit, started);
    await kit.pool.query(`update fulfillment_task set timeout_policy = '{"timeout":"PT2H","onTimeout":"CANCEL"}' where id = $1`, [taskId]);
    const answer = await kit.runJob(applyFulfillmentTimeoutContract, applyFulfillmentTimeoutHandler(kit.deps), { variables: taskVariables(started, taskId), headers: { phase: 'PROVISIONING' } });
    expect(answer.completed).toMatchObject({ currentTaskResult: 'TIMED_OUT', timeoutAction: 'CANCEL' });
    const order = await kit.pool.query('select status, cancel_reason from customer_order where id = $1', [started.order.orderId]);
    expect(order.rows[0]).toMatchObject({ status: 'CANCEL_REQUESTED', cancel_reason: expect.stringContaining('no answer within PT2H') });
    const cancel = await kit.pool.query(`select correlation_key from workflow_message_correlation where message_name = 'order-cancel-requested' and aggregate_id = $1`, [started.order.orderId]);
    expect(cancel.rows).toEqual([{ correlation_key: `${started.tenantId}:${started.order.orderId}:${started.fulfillmentPlanId}` }]);
  });
});
