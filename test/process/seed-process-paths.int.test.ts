/**
 * Every process path of seed §27 "BPMN Tests", on `bpmn/order-fulfillment-v1.bpmn` with the real
 * runtime, the partner simulators and the local engine on a manual clock (no test sleeps on a
 * timer). Paths an existing scenario already proves are not run twice; the map says where each is:
 *
 * | seed §27 path                  | test                                                                                   |
 * |--------------------------------|----------------------------------------------------------------------------------------|
 * | simple happy path              | here: "a single-item ADD order …"                                                      |
 * | parallel reservation + shipment| here: "the fibre's reservation and the router's shipment …"                            |
 * | async provisioning callback    | here: "provisioning accepts the request and calls back later …"; also                  |
 * |                                | order-fulfillment-runtime: "given provisioning calls back twice and before the process waits …" |
 * | provisioning timeout           | order-fulfillment-runtime: "given provisioning never calls back, when the timeout fires …" |
 * | manual task completion         | here: "the technician completes the on-site installation through its Tasklist form …"  |
 * | task failure to fallout        | order-fulfillment-runtime: "given provisioning refuses the request, then the task falls out at once …" |
 * | repair and retry               | order-fulfillment-runtime: the timeout and the refusal scenarios (RETRY repair, attempt #2) |
 * | cancellation during wait       | order-fulfillment-runtime: "given a cancellation while provisioning waits …"           |
 * | compensation success           | order-fulfillment-runtime: "given a cancellation while provisioning waits … COMPENSATED" |
 * | compensation failure           | here: "an undo step the partner refuses …"                                             |
 * | installed base conflict        | here: "a MODIFY expecting an asset version that another order already changed …" and   |
 * |                                | "a MODIFY of an asset that does not exist …"                                           |
 *
 * Every scenario ends with the seed §30 invariant (`fulfillment-invariant.ts`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cancelOrder } from '../../connector-runtime/src/commands/cancel-order';
import { repairFallout } from '../../connector-runtime/src/commands/fallout';
import { confirmOnSite, findUserTaskOf } from '../../connector-runtime/src/engine/tasklist-client';
import { expectFulfillmentInvariant } from './fulfillment-invariant';
import { fibreItem, routerItem } from './order-items';
import { driveToEnd, startRuntimeHarness, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_paths');
});
afterEach(() => {
  h.runtime.simulator!.reset();
});
afterAll(async () => {
  await h?.close();
});

async function rows<T extends object>(text: string, params: unknown[]): Promise<T[]> {
  return (await h.runtime.pool.query<T>(text, params)).rows;
}

async function taskBySequence(orderId: string, sequence: number) {
  return (await h.taskStatuses(orderId)).find((task) => task.sequence === sequence)!;
}

/** Places a fibre ADD order and fulfils it; returns the order id and the asset it created. */
async function installedFibre(): Promise<{ orderId: string; assetId: string }> {
  const { order } = await h.startOrder([fibreItem()]);
  expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
  const [asset] = await rows<{ id: string }>('select id from installed_base_asset where tenant_id = $1 and created_by_order_id = $2', [h.tenantId, order.orderId]);
  return { orderId: order.orderId, assetId: asset!.id };
}

async function openFalloutCase(orderId: string) {
  return h.until('an open fallout case', async () => {
    const [open] = await rows<{ id: string; category: string; reason: string; fulfillment_task_id: string | null }>(
      `select id, category, reason, fulfillment_task_id from fallout_case where tenant_id = $1 and order_id = $2 and status = 'OPEN'`,
      [h.tenantId, orderId],
    );
    return open;
  });
}

/**
 * Gives up an installed-base conflict: FAIL on the task's case from the OMS console; the plan then
 * goes on to apply the order's impact, meets the same conflict and opens a plan-level case, which
 * operations fail in the repair form. The order ends FAILED_WITH_FALLOUT.
 */
async function failInstalledBaseConflict(orderId: string, taskCaseId: string): Promise<void> {
  await repairFallout(h.runtime.pool, { tenantId: h.tenantId, orderId, falloutCaseId: taskCaseId, outcome: 'FAIL', reason: 'The installed base does not match the order; order re-quoted', actor: 'ops:alice' });
  const planCase = await openFalloutCase(orderId);
  expect(planCase).toMatchObject({ category: 'INSTALLED_BASE_CONFLICT', fulfillment_task_id: null });
  const key = (await h.processInstanceKey(orderId))!;
  const decide = await h.until('the plan repair decision task', async () => (await h.technician.openTasks(key)).find((task) => task.elementId === 'PlanFallout_DecideRepair'));
  await h.technician.complete(decide.userTaskKey, { decision: 'FAIL', reason: 'Installed base conflict; the order cannot be fulfilled as placed.', evidenceReference: null, approvalReference: null });
  expect(await driveToEnd(h, orderId)).toBe('FAILED_WITH_FALLOUT');
}

describe('seed §27 process paths on the real runtime', () => {
  it('given a single-item ADD order, when fulfillment starts, then each task runs once in plan order and the order completes with its asset installed', async () => {
    const { order } = await h.startOrder([fibreItem()]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    const tasks = await h.taskStatuses(order.orderId);
    expect(tasks.map((task) => `${task.taskType} ${task.status}`)).toEqual([
      'CHECK_SERVICEABILITY COMPLETED',
      'RESERVE_RESOURCE COMPLETED',
      'CREATE_PROVISIONING_REQUEST COMPLETED',
      'ACTIVATE_BILLING COMPLETED',
      'UPDATE_INSTALLED_BASE COMPLETED',
    ]);
    const attempts = await rows<{ attempts: number }>('select count(*)::int as attempts from fulfillment_task_attempt where tenant_id = $1 and order_id = $2', [h.tenantId, order.orderId]);
    expect(attempts).toEqual([{ attempts: 5 }]);
    const versions = await rows<{ version_no: number; status: string; product_code: string }>(
      `select v.version_no, v.status, v.product_code from asset_version v join installed_base_asset a on a.tenant_id = v.tenant_id and a.id = v.asset_id
        where a.tenant_id = $1 and a.created_by_order_id = $2`,
      [h.tenantId, order.orderId],
    );
    expect(versions).toEqual([{ version_no: 1, status: 'ACTIVE', product_code: 'FIBER-500' }]);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given the fibre\'s reservation and the router\'s shipment both wait only for the serviceability check, then they run at the same time', async () => {
    // Each partner takes 400 ms to answer: run one after the other, the two attempts could not overlap.
    h.runtime.simulator!.configure('inventory', { latencyMs: 400 }, 'RESERVE_RESOURCE');
    h.runtime.simulator!.configure('shipping', { latencyMs: 400 }, 'SCHEDULE_SHIPMENT');
    const { order } = await h.startSampleOrder();
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    const attempts = await rows<{ sequence: number; task_type: string; started_at: Date; completed_at: Date }>(
      `select t.sequence, t.task_type, a.started_at, a.completed_at from fulfillment_task_attempt a join fulfillment_task t on t.tenant_id = a.tenant_id and t.id = a.fulfillment_task_id
        where a.tenant_id = $1 and a.order_id = $2 and t.sequence in (4, 8) order by t.sequence`,
      [h.tenantId, order.orderId],
    );
    expect(attempts.map((attempt) => `${attempt.sequence} ${attempt.task_type}`)).toEqual(['4 RESERVE_RESOURCE', '8 SCHEDULE_SHIPMENT']);
    const [reservation, shipment] = attempts as [(typeof attempts)[number], (typeof attempts)[number]];
    // Both in progress at once: each started before the other ended.
    const latestStart = Math.max(reservation.started_at.getTime(), shipment.started_at.getTime());
    const earliestEnd = Math.min(reservation.completed_at.getTime(), shipment.completed_at.getTime());
    expect(latestStart, 'the later attempt started before the earlier one ended').toBeLessThan(earliestEnd);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given provisioning accepts the request and calls back later, then the task waits, the signed callback is stored, evidenced and correlated once, and the order completes', async () => {
    h.runtime.simulator!.configure('provisioning', { holdCallbacks: true });
    const { order } = await h.startOrder([fibreItem()]);
    const provisioning = await h.until('provisioning to wait for its callback', async () => {
      const task = await taskBySequence(order.orderId, 3);
      return task.status === 'WAITING' && h.runtime.simulator!.heldCallbacks() === 1 ? task : undefined;
    });
    const [call] = await rows<{ id: string; status: string; external_correlation_id: string }>(
      'select id, status, external_correlation_id from external_call_attempt where tenant_id = $1 and fulfillment_task_id = $2',
      [h.tenantId, provisioning.id],
    );
    expect(call!.status).toBe('SUBMITTED');
    expect(await rows('select 1 from callback_inbox where tenant_id = $1 and external_call_attempt_id = $2', [h.tenantId, call!.id])).toEqual([]);

    expect(h.runtime.simulator!.releaseCallbacks({ system: 'provisioning' })).toBe(1);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    const inbox = await rows<{ id: string; processed: boolean; processing_error: string | null }>(
      'select id, processed_at is not null as processed, processing_error from callback_inbox where tenant_id = $1 and external_call_attempt_id = $2',
      [h.tenantId, call!.id],
    );
    expect(inbox).toEqual([{ id: expect.any(String), processed: true, processing_error: null }]);
    const evidence = await rows<{ callback_inbox_id: string }>(
      `select callback_inbox_id from task_evidence where tenant_id = $1 and fulfillment_task_id = $2 and evidence_kind = 'CALLBACK'`,
      [h.tenantId, provisioning.id],
    );
    expect(evidence).toEqual([{ callback_inbox_id: inbox[0]!.id }]);
    const correlations = await rows<{ status: string }>(
      `select status from workflow_message_correlation where tenant_id = $1 and message_name = 'provisioning-completed' and correlation_key = $2`,
      [h.tenantId, `${h.tenantId}:${order.orderId}:${provisioning.id}`],
    );
    expect(correlations).toEqual([{ status: 'CORRELATED' }]);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given the technician completes the on-site installation through its Tasklist form, then the decision is the task\'s evidence and the order completes', async () => {
    const { order } = await h.startOrder([routerItem()]);
    const installation = await h.until('the installation to wait for a person', async () => {
      const task = (await h.taskStatuses(order.orderId)).find((candidate) => candidate.taskType === 'ONSITE_INSTALLATION_CONFIRMATION');
      return task?.status === 'WAITING' ? task : undefined;
    });
    const key = (await h.processInstanceKey(order.orderId))!;
    const userTask = await h.until('the installation user task', () => findUserTaskOf(h.runtime.camunda.restAddress!, key, installation.id));
    // The form Tasklist shows for it, and the fields it submits.
    const form = await h.engineRest<{ formId: string; schema: string }>('GET', `/user-tasks/${userTask.userTaskKey}/form`);
    expect(form.formId).toBe('onsite-installation-confirmation');
    const fieldKeys = formFieldKeys(JSON.parse(form.schema) as FormComponent);
    expect(fieldKeys).toEqual(expect.arrayContaining(Object.keys(confirmOnSite)));
    await h.technician.complete(userTask.userTaskKey, confirmOnSite);

    expect(await driveToEnd(h, order.orderId, undefined, 60_000)).toBe('COMPLETED');
    const evidence = await rows<{ reference: string; decision: string }>(
      `select reference, summary ->> 'decision' as decision from task_evidence where tenant_id = $1 and fulfillment_task_id = $2 and evidence_kind = 'MANUAL_DECISION'`,
      [h.tenantId, installation.id],
    );
    expect(evidence).toEqual([{ reference: confirmOnSite.evidenceReference, decision: 'COMPLETE' }]);
    // The decision also ends the attempt the manual task started.
    const attempts = await rows<{ status: string; completed: boolean }>('select status, completed_at is not null as completed from fulfillment_task_attempt where tenant_id = $1 and fulfillment_task_id = $2', [h.tenantId, installation.id]);
    expect(attempts).toEqual([{ status: 'SUCCEEDED', completed: true }]);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given an undo step the partner refuses, when the order is cancelled, then compensation stops at that step, plan fallout opens, and a RETRY decision in the repair form compensates the order', async () => {
    h.runtime.simulator!.configure('provisioning', { noCallback: true });
    h.runtime.simulator!.configure('shipping', { holdCallbacks: true });
    h.runtime.simulator!.configure('inventory', { reject: { status: 409, code: 'RESOURCE_LOCKED', message: 'the reservation is locked by a field job' } }, 'RELEASE_RESOURCE');
    const { order } = await h.startSampleOrder();
    await h.until('both reservations done and the fibre provisioning waiting', async () => {
      const tasks = await h.taskStatuses(order.orderId);
      const status = (sequence: number) => tasks.find((task) => task.sequence === sequence)!.status;
      return status(4) === 'COMPLETED' && status(12) === 'COMPLETED' && status(8) === 'COMPLETED' && status(5) === 'WAITING' ? true : undefined;
    });
    await cancelOrder(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, reason: 'Customer withdrew the order', actor: 'crm:bob' });

    const falloutCase = await openFalloutCase(order.orderId);
    expect(falloutCase).toMatchObject({ category: 'COMPENSATION_FAILED', fulfillment_task_id: null });
    expect(falloutCase.reason).toContain('RESOURCE_LOCKED');
    const steps = await rows<{ compensation_task_type: string; status: string }>(
      `select t.compensation_task_type, t.status from compensation_task t join compensation_plan p on p.tenant_id = t.tenant_id and p.id = t.compensation_plan_id
        where p.tenant_id = $1 and p.order_id = $2 order by t.sequence`,
      [h.tenantId, order.orderId],
    );
    // The steps run one at a time, latest effect first; the refused one stops the rest.
    const failedAt = steps.findIndex((step) => step.status === 'FAILED');
    expect(steps[failedAt]!.compensation_task_type).toBe('RELEASE_RESOURCE');
    expect(steps.slice(failedAt + 1).every((step) => step.status === 'PLANNED')).toBe(true);
    expect(await h.orderStatus(order.orderId)).toBe('CANCEL_REQUESTED');

    // The inventory lock is lifted; operations decide RETRY in the repair form.
    h.runtime.simulator!.configure('inventory', { reject: undefined }, 'RELEASE_RESOURCE');
    const key = (await h.processInstanceKey(order.orderId))!;
    const decide = await h.until('the repair decision task', async () => (await h.technician.openTasks(key)).find((task) => task.elementId === 'PlanFallout_DecideRepair'));
    await h.technician.complete(decide.userTaskKey, { decision: 'RETRY', reason: 'Field job finished; the reservation can be released now.', evidenceReference: 'field-job-4411', approvalReference: null });

    expect(await driveToEnd(h, order.orderId)).toBe('COMPENSATED');
    const after = await rows<{ status: string }>(
      `select t.status from compensation_task t join compensation_plan p on p.tenant_id = t.tenant_id and p.id = t.compensation_plan_id where p.tenant_id = $1 and p.order_id = $2`,
      [h.tenantId, order.orderId],
    );
    expect(after.every((step) => step.status === 'COMPLETED')).toBe(true);
    const events = await rows<{ event_type: string }>('select event_type from outbox where tenant_id = $1 and correlation_id = $2 order by id', [h.tenantId, order.orderId]);
    for (const type of ['CompensationStarted', 'CompensationFailed', 'FulfillmentFalloutOpened', 'FulfillmentFalloutRepaired', 'OrderFulfillmentCancelled']) {
      expect(events.map((event) => event.event_type)).toContain(type);
    }
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given a MODIFY expecting an asset version that another order already changed, then the installed-base update conflicts, fallout opens (task, then plan) and FAIL decisions end the order FAILED_WITH_FALLOUT with the asset untouched', async () => {
    const { assetId } = await installedFibre();
    // Another order changes the asset first (version 1 -> 2)...
    const first = await h.startOrder([fibreItem('MODIFY', { existingAssetId: assetId, expectedAssetVersion: 1, downloadMbps: 1000 })]);
    expect(await driveToEnd(h, first.order.orderId)).toBe('COMPLETED');
    // ...so this one, planned against version 1, conflicts.
    const { order } = await h.startOrder([fibreItem('MODIFY', { existingAssetId: assetId, expectedAssetVersion: 1, downloadMbps: 200 })]);
    const falloutCase = await openFalloutCase(order.orderId);
    const tasks = await h.taskStatuses(order.orderId);
    const update = tasks.find((task) => task.taskType === 'UPDATE_INSTALLED_BASE')!;
    expect(falloutCase).toMatchObject({ category: 'INSTALLED_BASE_CONFLICT', fulfillment_task_id: update.id });
    expect(update.status).toBe('FALLOUT');

    await failInstalledBaseConflict(order.orderId, falloutCase.id);
    const versions = await rows<{ version_no: number; status: string; download: string }>(
      `select version_no, status, characteristics ->> 'downloadMbps' as download from asset_version where tenant_id = $1 and asset_id = $2 order by version_no`,
      [h.tenantId, assetId],
    );
    expect(versions).toEqual([
      { version_no: 1, status: 'SUPERSEDED', download: '500' },
      { version_no: 2, status: 'ACTIVE', download: '1000' },
    ]);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('given a MODIFY of an asset that does not exist, then the installed-base update falls out and FAIL decisions end the order FAILED_WITH_FALLOUT', async () => {
    const { order } = await h.startOrder([fibreItem('MODIFY', { existingAssetId: randomUUID(), expectedAssetVersion: 1 })]);
    const falloutCase = await openFalloutCase(order.orderId);
    const update = (await h.taskStatuses(order.orderId)).find((task) => task.taskType === 'UPDATE_INSTALLED_BASE')!;
    expect(falloutCase.fulfillment_task_id).toBe(update.id);
    expect(update.status).toBe('FALLOUT');
    await failInstalledBaseConflict(order.orderId, falloutCase.id);
    await expectFulfillmentInvariant(h, order.orderId);
  });
});

interface FormComponent {
  key?: string;
  components?: FormComponent[];
}

/** Keys of the fields a form submits, at any depth. */
function formFieldKeys(component: FormComponent): string[] {
  return [...(component.key ? [component.key] : []), ...(component.components ?? []).flatMap(formFieldKeys)];
}
