/**
 * Fault a): the same signed partner callback delivered 50 times — 50 at once for the provisioning
 * request, 50 one after another for the billing request — against the real runtime process. Exactly
 * one delivery of each is stored and acted on (202 ACCEPTED, the other 49 200 DUPLICATE), each
 * request gets one CALLBACK evidence and one message correlation, and the order completes once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { reportFault } from './fault-report';
import { startFaultRig, untilOrderEnds, type FaultRig } from './fault-a-rig';
import { expectFulfillmentInvariant } from '../process/fulfillment-invariant';

vi.setConfig({ testTimeout: 240_000 });
let rig: FaultRig;

beforeAll(async () => {
  // The partners accept the asynchronous requests but never call back: the test delivers the callbacks.
  rig = await startFaultRig({ prefix: 'fault_redelivery', simulatorDefaults: { noCallback: true } });
  await rig.startRuntime();
});
afterAll(async () => {
  await rig?.close();
});

/** One signed delivery: fixed webhook-id, timestamp, body and signature, sent as often as asked. */
function signedCallback(system: 'provisioning' | 'billing', externalCorrelationId: string, result: Record<string, string>) {
  const webhookId = `msg_fault_a_${system}_${externalCorrelationId}`;
  const body = JSON.stringify({ externalCorrelationId, outcome: 'SUCCEEDED', reference: `${system}-fault-a`, result, occurredAt: new Date().toISOString() });
  const sentAt = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(rig.simulator.secretOf(system)).sign(webhookId, sentAt, body),
  };
  return {
    webhookId,
    async deliver(): Promise<{ status: number; answer: string }> {
      const response = await fetch(`${rig.runtime!.httpUrl}/api/v1/integrations/${system}/callbacks`, { method: 'POST', headers, body });
      return { status: response.status, answer: String(((await response.json()) as { status?: string }).status) };
    },
  };
}

describe('the same signed callback delivered 50 times', () => {
  it('given a waiting provisioning and billing request, when each callback arrives 50× (concurrently, then sequentially), then one is stored and correlated, the rest are duplicates, and the order completes once', async () => {
    const orderId = await rig.placeFibreOrder();
    const requestOf = (taskType: string) =>
      rig.until(`the ${taskType} request of order ${orderId}`, async () => rig.partnerRequests.find((r) => r.taskType === taskType && r.status === 202 && r.idempotencyKey.includes(orderId)), 120_000);
    const taskOf = async (taskType: string) =>
      (await rig.pool.query<{ id: string; status: string }>('select id, status from fulfillment_task where tenant_id = $1 and order_id = $2 and task_type = $3', [rig.tenantId, orderId, taskType])).rows[0]!;

    // Provisioning: 50 deliveries of one signed callback at the same moment.
    const provisioningRequest = await requestOf('CREATE_PROVISIONING_REQUEST');
    const provisioning = signedCallback('provisioning', provisioningRequest.externalCorrelationId, { serviceId: 'svc-fault-a', provisioningStatus: 'COMPLETED' });
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => provisioning.deliver()));

    // Billing: 50 deliveries of one signed callback, one after another.
    const billingRequest = await requestOf('ACTIVATE_BILLING');
    const billing = signedCallback('billing', billingRequest.externalCorrelationId, { billingAccountId: 'ba-fault-a', billingStatus: 'ACTIVE' });
    const sequential: { status: number; answer: string }[] = [];
    for (let i = 0; i < 50; i += 1) sequential.push(await billing.deliver());

    expect(await untilOrderEnds(rig, orderId)).toBe('COMPLETED');

    for (const answers of [concurrent, sequential]) {
      expect(answers.filter((a) => a.status === 202 && a.answer === 'ACCEPTED')).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200 && a.answer === 'DUPLICATE')).toHaveLength(49);
    }
    const inbox = await rig.pool.query<{ webhook_id: string; n: number }>(
      `select webhook_id, count(*)::int as n from callback_inbox where tenant_id = $1 and webhook_id = any($2) group by webhook_id order by webhook_id`,
      [rig.tenantId, [provisioning.webhookId, billing.webhookId]],
    );
    expect(inbox.rows.map((row) => row.n)).toEqual([1, 1]);

    const perTask = [];
    for (const taskType of ['CREATE_PROVISIONING_REQUEST', 'ACTIVATE_BILLING']) {
      const task = await taskOf(taskType);
      expect(task.status).toBe('COMPLETED');
      const evidence = await rig.pool.query(`select 1 from task_evidence where tenant_id = $1 and fulfillment_task_id = $2 and evidence_kind = 'CALLBACK'`, [rig.tenantId, task.id]);
      const correlations = await rig.pool.query<{ status: string }>(`select status from workflow_message_correlation where tenant_id = $1 and correlation_key = $2`, [
        rig.tenantId,
        `${rig.tenantId}:${orderId}:${task.id}`,
      ]);
      perTask.push({ taskType, evidence: evidence.rowCount ?? 0, correlations: correlations.rows.length, correlated: correlations.rows.filter((row) => row.status === 'CORRELATED').length });
    }
    const completions = await rig.pool.query(`select 1 from outbox where tenant_id = $1 and aggregate_id = $2 and event_type = 'OrderFulfillmentCompleted'`, [rig.tenantId, orderId]);
    const accepted = [...concurrent, ...sequential].filter((a) => a.status === 202).length;
    const correlations = perTask.reduce((sum, task) => sum + task.correlations, 0);
    reportFault({
      fault: 'same signed callback 50× (concurrent + sequential)',
      orders: 1,
      completed: (await rig.orderStatus(orderId)) === 'COMPLETED' ? 1 : 0,
      lost: perTask.filter((task) => task.correlated === 0).length,
      duplicated: perTask.reduce((sum, task) => sum + Math.max(0, task.evidence - 1) + Math.max(0, task.correlations - 1), 0) + Math.max(0, (completions.rowCount ?? 0) - 1),
      note: `${accepted} accepted of 100 deliveries (2 callbacks × 50), ${inbox.rows.length} inbox rows, ${correlations} correlations, ${completions.rowCount} completion event`,
    });
    expect(perTask).toEqual([
      { taskType: 'CREATE_PROVISIONING_REQUEST', evidence: 1, correlations: 1, correlated: 1 },
      { taskType: 'ACTIVATE_BILLING', evidence: 1, correlations: 1, correlated: 1 },
    ]);
    expect(completions.rowCount).toBe(1);
    await expectFulfillmentInvariant(rig.invariantView(), orderId);
  });
});
