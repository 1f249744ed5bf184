/**
 * Worker tests of `finalize-order-fulfillment` (seed §19, §27, §30): the domain decides the end
 * state. A refusal changes nothing and names its blocker; a completion ends order, plan, execution
 * and workflow ref in one transaction with exactly one event; a completed partner task without
 * evidence is not trusted; a compensated cancellation and a fallout closed by FAIL end as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelOrder } from '../../commands/cancel-order';
import { executeCompensationStep, startCompensation } from '../../commands/compensation';
import { openFulfillmentFallout, repairFallout } from '../../commands/fallout';
import { applyInstalledBaseImpact } from '../../commands/installed-base';
import { executeFulfillmentTask } from '../../commands/task-execution';
import { newJobKey, openHandlerKit, taskVariables, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { finalizeOrderFulfillmentHandler } from './handler';
import { finalizeOrderFulfillmentContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_finalize');
});
afterAll(async () => kit?.close());

function finalizeJob(started: StartedOrder) {
  return kit.runJob(finalizeOrderFulfillmentContract, finalizeOrderFulfillmentHandler(kit.deps), {
    variables: { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId },
    processInstanceKey: started.processInstanceKey,
  });
}

/** Order, plan, execution and workflow ref status of the started order. */
async function ends(started: StartedOrder): Promise<{ order: string; plan: string; execution: string; executionEnded: boolean; workflow: string; workflowEnded: boolean }> {
  const row = await kit.pool.query(
    `select o.status as order, p.status as plan, e.status as execution, e.completed_at is not null as "executionEnded",
            w.status as workflow, w.ended_at is not null as "workflowEnded"
       from customer_order o
       join fulfillment_plan p on p.tenant_id = o.tenant_id and p.order_id = o.id
       join fulfillment_execution e on e.tenant_id = o.tenant_id and e.fulfillment_plan_id = p.id
       join order_workflow_ref w on w.tenant_id = o.tenant_id and w.fulfillment_plan_id = p.id
      where o.tenant_id = $1 and o.id = $2`,
    [started.tenantId, started.order.orderId],
  );
  return row.rows[0];
}

async function endEvents(started: StartedOrder): Promise<string[]> {
  const rows = await kit.pool.query<{ event_type: string }>(`select event_type from outbox where tenant_id = $1 and event_type like 'OrderFulfillment%' and event_type <> 'OrderFulfillmentRequested' order by id`, [started.tenantId]);
  return rows.rows.map((row) => row.event_type);
}

const running = { order: 'IN_FULFILLMENT', plan: 'IN_PROGRESS', execution: 'RUNNING', executionEnded: false, workflow: 'ACTIVE', workflowEnded: false };

/**
 * Every task COMPLETED in the table (setup only), with the evidence §30 asks for except for the
 * sequences in `withoutEvidence`, and the installed base applied through its command.
 */
async function everythingDone(started: StartedOrder, withoutEvidence: number[] = []): Promise<void> {
  const { tenantId, order } = started;
  await kit.pool.query(`update fulfillment_task set status = 'COMPLETED', completed_at = now() where tenant_id = $1 and order_id = $2`, [tenantId, order.orderId]);
  await kit.pool.query(
    `insert into task_evidence (tenant_id, id, order_id, fulfillment_task_id, evidence_kind, source_system, summary, evidence_hash, recorded_by)
     select tenant_id, gen_random_uuid(), order_id, id,
            case when execution_mode = 'MANUAL' then 'MANUAL_DECISION' when owner_system = 'installed-base' then 'ASSET_IMPACT' else 'PARTNER_RESPONSE' end,
            owner_system, '{}'::jsonb, 'sha256:' || repeat('0', 64), 'test'
       from fulfillment_task where tenant_id = $1 and order_id = $2 and not (sequence = any($3))`,
    [tenantId, order.orderId, withoutEvidence],
  );
  const applied = await applyInstalledBaseImpact(kit.pool, { tenantId, orderId: order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, actor: 'test' });
  expect(applied.installedBaseApplied).toBe(true);
}

describe('finalize-order-fulfillment', () => {
  it('given required tasks not done, then completion is refused with REQUIRED_TASK_NOT_DONE and nothing changes', async () => {
    const started = await kit.startedOrder();
    const answer = await finalizeJob(started);
    expect(answer.outcome).toBe('completed');
    expect(answer.completed).toMatchObject({ completionAllowed: false, fulfillmentEndState: null });
    expect(String(answer.completed!['falloutReason'])).toMatch(/^REQUIRED_TASK_NOT_DONE: /);
    expect(await ends(started)).toEqual(running);
    expect(await endEvents(started)).toEqual([]);
  });

  it('given every task done with evidence and the installed base applied, then order, plan, execution and workflow ref end COMPLETED with one event, and a second finalize answers the same without another', async () => {
    const started = await kit.startedOrder();
    await everythingDone(started);
    const first = await finalizeJob(started);
    expect(first.completed).toEqual({ completionAllowed: true, fulfillmentEndState: 'COMPLETED', falloutReason: null });
    expect(await ends(started)).toEqual({ order: 'COMPLETED', plan: 'COMPLETED', execution: 'COMPLETED', executionEnded: true, workflow: 'COMPLETED', workflowEnded: true });
    const second = await finalizeJob(started);
    expect(second.completed).toEqual(first.completed);
    expect(await endEvents(started)).toEqual(['OrderFulfillmentCompleted']);
  });

  it('given a completed required partner task without any evidence, then completion is refused with EFFECT_NOT_EVIDENCED naming it', async () => {
    const started = await kit.startedOrder();
    await everythingDone(started, [4]);
    const answer = await finalizeJob(started);
    expect(answer.completed).toMatchObject({ completionAllowed: false, fulfillmentEndState: null });
    expect(String(answer.completed!['falloutReason'])).toBe(`EFFECT_NOT_EVIDENCED: no evidence for RESERVE_RESOURCE ${await started.taskId(4)}`);
    expect((await ends(started)).order).toBe('IN_FULFILLMENT');
    expect(await endEvents(started)).toEqual([]);
  });

  it('given a cancelled order whose compensation completed, then it ends COMPENSATED with OrderFulfillmentCancelled', async () => {
    const started = await kit.startedOrder();
    for (const sequence of [3, 4]) {
      const taskId = await started.taskId(sequence);
      await executeFulfillmentTask(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);
    }
    await cancelOrder(kit.pool, { tenantId: started.tenantId, orderId: started.order.orderId, reason: 'customer withdrew', actor: 'test' });
    const context = { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, actor: 'test' };
    const compensation = await startCompensation(kit.pool, { ...context, reason: 'ORDER_CANCELLED', idempotencyKey: newJobKey() }, kit.deps);
    expect(compensation.compensationTaskIds).toHaveLength(1);
    for (const compensationTaskId of compensation.compensationTaskIds) await executeCompensationStep(kit.pool, { ...context, compensationTaskId }, kit.deps);

    const answer = await finalizeJob(started);
    expect(answer.completed).toEqual({ completionAllowed: true, fulfillmentEndState: 'COMPENSATED', falloutReason: null });
    expect(await ends(started)).toMatchObject({ order: 'COMPENSATED', plan: 'COMPENSATED', execution: 'COMPENSATED', workflow: 'CANCELLED', workflowEnded: true });
    expect(await endEvents(started)).toEqual(['OrderFulfillmentCancelled']);
  });

  it('given a fallout case closed by repair FAIL, then it ends FAILED_WITH_FALLOUT with OrderFulfillmentFailed', async () => {
    const started = await kit.startedOrder();
    const taskId = await started.taskId(3);
    kit.partners.inventory.failures.push('reject');
    await executeFulfillmentTask(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);
    const opened = await openFulfillmentFallout(kit.pool, { ...taskVariables(started, taskId), subjectId: taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);
    await repairFallout(kit.pool, { tenantId: started.tenantId, orderId: started.order.orderId, falloutCaseId: opened.falloutCaseId, outcome: 'FAIL', reason: 'no capacity at the cabinet for months', actor: 'ops:alice' }, kit.deps);

    const answer = await finalizeJob(started);
    expect(answer.completed).toMatchObject({ completionAllowed: true, fulfillmentEndState: 'FAILED_WITH_FALLOUT' });
    expect(String(answer.completed!['falloutReason'])).toContain('NO_CAPACITY');
    expect(await ends(started)).toMatchObject({ order: 'FAILED_WITH_FALLOUT', plan: 'FAILED_WITH_FALLOUT', execution: 'FAILED_WITH_FALLOUT', workflow: 'FAILED', workflowEnded: true });
    expect(await endEvents(started)).toEqual(['OrderFulfillmentFailed']);
  });
});
