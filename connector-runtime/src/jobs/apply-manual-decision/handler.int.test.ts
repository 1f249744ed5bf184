/**
 * Worker tests of `apply-manual-decision` (seed §13, §17, §27): a person's decision on the waiting
 * installation task goes through the task state machine with its evidence, once per job; a decision
 * on a task that no longer waits is refused; a skip needs an approval; a repair decision on a task in
 * fallout repairs its case and queues the repaired message for the waiting process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFulfillmentFallout } from '../../commands/fallout';
import { claimTask, newJobKey, openHandlerKit, taskVariables, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { applyManualDecisionHandler } from './handler';
import { applyManualDecisionContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_manual');
});
afterAll(async () => kit?.close());

/** The on-site installation (sequence 10, MANUAL) waits for a person; it needs 5 and 9, they need 3, 4 and 8. */
const installation = 10;
const installationNeeds = [3, 4, 5, 8, 9];

async function waitingInstallation(started: StartedOrder): Promise<string> {
  return claimTask(kit, started, installation, installationNeeds);
}

function decide(started: StartedOrder, taskId: string, submission: Record<string, unknown>, jobKey = newJobKey()) {
  return kit.runJob(applyManualDecisionContract, applyManualDecisionHandler(kit.deps), {
    variables: { ...taskVariables(started, taskId), reason: 'technician confirmed on site', ...submission },
    headers: { phase: 'ACTIVATION' },
    jobKey,
  });
}

async function taskStatus(taskId: string): Promise<string> {
  return (await kit.pool.query<{ status: string }>('select status from fulfillment_task where id = $1', [taskId])).rows[0]!.status;
}

async function eventTypes(taskId: string): Promise<string[]> {
  return (await kit.pool.query<{ event_type: string }>('select event_type from outbox where aggregate_id = $1 order by id', [taskId])).rows.map((row) => row.event_type);
}

describe('apply-manual-decision', () => {
  it('given the waiting installation, when COMPLETE is decided and the job is redelivered, then the task is COMPLETED once with MANUAL_DECISION evidence and both answers are the same', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingInstallation(started);
    expect(await taskStatus(taskId)).toBe('WAITING');
    const jobKey = newJobKey();
    const first = await decide(started, taskId, { decision: 'COMPLETE', evidenceReference: 'photo-4711' }, jobKey);
    const again = await decide(started, taskId, { decision: 'COMPLETE', evidenceReference: 'photo-4711' }, jobKey);
    expect(first.outcome).toBe('completed');
    expect(first.completed).toMatchObject({ currentTaskResult: 'COMPLETED', falloutReason: null });
    expect(again.completed).toEqual(first.completed);
    expect(await taskStatus(taskId)).toBe('COMPLETED');
    expect((await eventTypes(taskId)).filter((type) => type === 'FulfillmentTaskCompleted')).toHaveLength(1);
    const evidence = await kit.pool.query('select evidence_kind, reference, summary from task_evidence where fulfillment_task_id = $1', [taskId]);
    expect(evidence.rows).toEqual([{ evidence_kind: 'MANUAL_DECISION', reference: 'photo-4711', summary: expect.objectContaining({ decision: 'COMPLETE', idempotencyKey: `zeebe-job:${jobKey}` }) }]);
  });

  it('given a task already decided, when a second decision (another job) arrives, then the job raises TASK.INVALID_TRANSITION and the first decision stands', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingInstallation(started);
    await decide(started, taskId, { decision: 'COMPLETE' });
    const second = await decide(started, taskId, { decision: 'FAIL' });
    expect(second.outcome).toBe('incident');
    expect(second.failed!.errorMessage).toContain('TASK.INVALID_TRANSITION');
    expect(await taskStatus(taskId)).toBe('COMPLETED');
    const decisions = await kit.pool.query(`select 1 from task_evidence where fulfillment_task_id = $1 and evidence_kind = 'MANUAL_DECISION'`, [taskId]);
    expect(decisions.rowCount).toBe(1);
  });

  it('given FAIL, then the task goes FAILED then FALLOUT with its events and the job routes to fallout with the reason', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingInstallation(started);
    const answer = await decide(started, taskId, { decision: 'FAIL', reason: 'no access to the building' });
    expect(answer.outcome).toBe('completed');
    expect(answer.completed).toMatchObject({ currentTaskResult: 'FALLOUT', falloutReason: 'FAIL: no access to the building' });
    expect(await taskStatus(taskId)).toBe('FALLOUT');
    expect((await eventTypes(taskId)).slice(-2)).toEqual(['FulfillmentTaskFailed', 'FulfillmentTaskFallout']);
  });

  it('given SKIP_WITH_APPROVAL without an approval reference, then the input is refused (incident) and the task keeps waiting; with one, the task is SKIPPED', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingInstallation(started);
    const refused = await decide(started, taskId, { decision: 'SKIP_WITH_APPROVAL', reason: 'customer installs the router', approvalReference: '' });
    expect(refused.outcome).toBe('incident');
    expect(refused.failed!.errorMessage).toContain('approvalReference');
    expect(await taskStatus(taskId)).toBe('WAITING');

    const skipped = await decide(started, taskId, { decision: 'SKIP_WITH_APPROVAL', reason: 'customer installs the router', approvalReference: 'APPROVAL-77' });
    expect(skipped.completed).toMatchObject({ currentTaskResult: 'SKIPPED', falloutReason: null });
    expect(await taskStatus(taskId)).toBe('SKIPPED');
    const evidence = await kit.pool.query(`select summary from task_evidence where fulfillment_task_id = $1 and evidence_kind = 'MANUAL_DECISION'`, [taskId]);
    expect(evidence.rows).toEqual([{ summary: expect.objectContaining({ decision: 'SKIP_WITH_APPROVAL', approvalReference: 'APPROVAL-77' }) }]);
  });

  it('given the task in FALLOUT with an open case, when the repair decision is RETRY, then the task is READY, the case REPAIRED and fulfillment-fallout-repaired is queued with repairOutcome RETRY', async () => {
    const started = await kit.startedOrder();
    const taskId = await waitingInstallation(started);
    await decide(started, taskId, { decision: 'FAIL', reason: 'no access to the building' });
    const opened = await openFulfillmentFallout(kit.pool, { ...taskVariables(started, taskId), subjectId: taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);

    const answer = await decide(started, taskId, { decision: 'RETRY', reason: 'caretaker will open the door' });
    expect(answer.outcome).toBe('completed');
    expect(answer.completed).toMatchObject({ currentTaskResult: 'READY', falloutReason: null, moreReadyTasks: true });
    expect(await taskStatus(taskId)).toBe('READY');
    const cases = await kit.pool.query('select status from fallout_case where tenant_id = $1 and id = $2', [started.tenantId, opened.falloutCaseId]);
    expect(cases.rows).toEqual([{ status: 'REPAIRED' }]);
    const correlation = await kit.pool.query('select message_name, correlation_key, variables from workflow_message_correlation where cause_id = $1', [opened.falloutCaseId]);
    expect(correlation.rows).toEqual([{ message_name: 'fulfillment-fallout-repaired', correlation_key: `${started.tenantId}:${started.order.orderId}:${taskId}`, variables: { repairOutcome: 'RETRY' } }]);
  });

  it('given a plan-level repair decision delivered twice, then the case is repaired once and both answers are the same', async () => {
    const started = await kit.startedOrder();
    const opened = await openFulfillmentFallout(kit.pool, {
      tenantId: started.tenantId,
      orderId: started.order.orderId,
      fulfillmentPlanId: started.fulfillmentPlanId,
      subjectId: started.fulfillmentPlanId,
      falloutReason: 'ASSET_VERSION_CONFLICT: asset changed by another order',
      idempotencyKey: newJobKey(),
      actor: 'test',
    });
    const jobKey = newJobKey();
    const first = await decide(started, started.fulfillmentPlanId, { decision: 'RETRY' }, jobKey);
    const second = await decide(started, started.fulfillmentPlanId, { decision: 'RETRY' }, jobKey);
    expect(first.outcome).toBe('completed');
    expect(second.completed).toEqual(first.completed);
    expect(first.completed).toMatchObject({ currentTaskResult: 'READY' });
    const repaired = await kit.pool.query(`select 1 from outbox where aggregate_id = $1 and event_type = 'FulfillmentFalloutRepaired'`, [opened.falloutCaseId]);
    expect(repaired.rowCount).toBe(1);
  });
});
