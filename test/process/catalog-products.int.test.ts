/**
 * Products and actions of the default catalog that the golden flows do not run, each driven to
 * COMPLETED on the real runtime (job workers, relays, partner simulator, local engine) and ended
 * with the seed §30 invariant. A product whose tasks no partner performs fails here with an
 * incident instead of reaching a user (connector-runtime/src/adapters/catalog-performers.test.ts
 * checks the table).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectFulfillmentInvariant } from './fulfillment-invariant';
import { fibreItem, site } from './order-items';
import { driveToEnd, startRuntimeHarness, type OrderItemInput, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_catalog_products');
});
afterAll(async () => {
  await h?.close();
});

const streaming = (action: OrderItemInput['action'], attributes: Record<string, unknown> = {}): OrderItemInput => ({
  orderItemId: randomUUID(),
  action,
  productType: 'DIGITAL_SUBSCRIPTION',
  productCode: 'STREAMING-PLUS',
  attributes,
});

const newSite = { line1: 'Jl. Gatot Subroto 45', city: 'Jakarta', postalCode: '12930', countryCode: 'ID' };

/** Task types the order's requests to `system` were made for, in arrival order. */
function callsTo(system: 'streaming' | 'appointment' | 'provisioning', orderId: string): string[] {
  return h.runtime
    .simulator!.calls()
    .filter((call) => call.system === system && call.idempotencyKey.startsWith(`${h.tenantId}:${orderId}:`))
    .map((call) => call.taskType);
}

async function assetOf(orderId: string): Promise<{ id: string; version: number; status: string; siteAddress: unknown }[]> {
  const rows = await h.runtime.pool.query<{ id: string; version: number; status: string; siteAddress: unknown }>(
    `select a.id, v.version_no as version, v.status, v.site_address as "siteAddress" from installed_base_asset a join asset_version v on v.tenant_id = a.tenant_id and v.asset_id = a.id
      where a.tenant_id = $1 and a.created_by_order_id = $2 order by v.version_no`,
    [h.tenantId, orderId],
  );
  return rows.rows;
}

// MODIFY and DISCONNECT act on the subscription the ADD installs: they run in this order.
let addOrderId: string;
let subscriptionId: string;

describe('STREAMING-PLUS on the real runtime', () => {
  it('ADD: the streaming partner opens the account, then billing and the installed base follow', async () => {
    const { order } = await h.startOrder([streaming('ADD')]);

    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');

    addOrderId = order.orderId;
    const [asset] = await assetOf(order.orderId);
    subscriptionId = asset!.id;
    expect(asset).toMatchObject({ version: 1, status: 'ACTIVE' });
    expect(callsTo('streaming', order.orderId)).toEqual(['CREATE_PROVISIONING_REQUEST']);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('MODIFY: the streaming partner changes the plan of the installed subscription', async () => {
    const { order } = await h.startOrder([streaming('MODIFY', { existingAssetId: subscriptionId, expectedAssetVersion: 1, plan: 'PREMIUM' })]);

    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');

    expect((await assetOf(addOrderId)).map(({ version, status }) => `${version} ${status}`)).toEqual(['1 SUPERSEDED', '2 ACTIVE']);
    expect(callsTo('streaming', order.orderId)).toEqual(['CREATE_PROVISIONING_REQUEST']);
    await expectFulfillmentInvariant(h, order.orderId);
  });

  it('DISCONNECT: the streaming partner closes the account and the subscription is closed', async () => {
    const { order } = await h.startOrder([streaming('DISCONNECT', { existingAssetId: subscriptionId, expectedAssetVersion: 2 })]);

    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');

    expect((await assetOf(addOrderId)).map(({ version, status }) => `${version} ${status}`)).toEqual(['1 SUPERSEDED', '2 CLOSED']);
    expect(callsTo('streaming', order.orderId)).toEqual(['DEACTIVATE_SERVICE']);
    await expectFulfillmentInvariant(h, order.orderId);
  });
});

interface TaskHistory {
  id: string;
  /** States in audit order. */
  states: string[];
  completedAt: Date;
  input: Record<string, unknown>;
  timeoutPolicy: unknown;
}

/** The one task of `taskType` in the order, as planned and as it went. */
async function taskHistory(orderId: string, taskType: string): Promise<TaskHistory> {
  const [task] = (
    await h.runtime.pool.query<{ id: string; completed_at: Date; input: Record<string, unknown>; timeout_policy: unknown }>(
      'select id, completed_at, input_snapshot as input, timeout_policy from fulfillment_task where tenant_id = $1 and order_id = $2 and task_type = $3',
      [h.tenantId, orderId, taskType],
    )
  ).rows;
  const audit = await h.runtime.pool.query<{ state_after: string }>(
    `select state_after from audit_log where tenant_id = $1 and entity_type = 'FulfillmentTask' and entity_id = $2 and state_after is not null order by id`,
    [h.tenantId, task!.id],
  );
  return { id: task!.id, states: audit.rows.map((row) => row.state_after), completedAt: task!.completed_at, input: task!.input, timeoutPolicy: task!.timeout_policy };
}

/** The requests made for a task, each with the callbacks received for it. */
async function requestsOf(taskId: string): Promise<{ id: string; system: string; status: string; createdAt: Date; callbacks: { processedAt: Date | null; error: string | null }[] }[]> {
  const calls = await h.runtime.pool.query<{ id: string; system: string; status: string; createdAt: Date }>(
    'select id, external_system as system, status, created_at as "createdAt" from external_call_attempt where tenant_id = $1 and fulfillment_task_id = $2 order by created_at',
    [h.tenantId, taskId],
  );
  const inbox = await h.runtime.pool.query<{ callId: string; processedAt: Date | null; error: string | null }>(
    'select external_call_attempt_id as "callId", processed_at as "processedAt", processing_error as error from callback_inbox where tenant_id = $1 and external_call_attempt_id = any($2)',
    [h.tenantId, calls.rows.map((call) => call.id)],
  );
  return calls.rows.map((call) => ({ ...call, callbacks: inbox.rows.filter((row) => row.callId === call.id).map(({ processedAt, error }) => ({ processedAt, error })) }));
}

describe('FIBER-500 MOVE on the real runtime', () => {
  it('MOVE: the appointment waits for its confirmation before the service is provisioned at the new site', async () => {
    // Given a fibre service installed at the old site.
    const { order: add } = await h.startOrder([fibreItem('ADD')]);
    expect(await driveToEnd(h, add.orderId)).toBe('COMPLETED');
    const [installed] = await assetOf(add.orderId);
    expect(installed).toMatchObject({ version: 1, status: 'ACTIVE', siteAddress: site });

    // When it moves to a new site.
    const { order } = await h.startOrder([fibreItem('MOVE', { existingAssetId: installed!.id, expectedAssetVersion: 1, siteAddress: newSite })]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');

    // Then the appointment was accepted, waited, and was completed by the appointment-confirmed callback.
    const appointment = await taskHistory(order.orderId, 'SCHEDULE_APPOINTMENT');
    expect(appointment.states).toContain('WAITING');
    // A confirmation may take a dispatcher's working day; a day without one opens fallout.
    expect(appointment.timeoutPolicy).toMatchObject({ timeout: 'P1D', softReminderBefore: 'PT4H', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT' });
    expect(appointment.states.slice(appointment.states.indexOf('WAITING'))).toEqual(['WAITING', 'COMPLETED']);
    const [scheduled, ...otherAppointments] = await requestsOf(appointment.id);
    expect(otherAppointments).toEqual([]);
    expect(scheduled).toMatchObject({ system: 'appointment', status: 'SUCCEEDED' });
    expect(scheduled!.callbacks).toEqual([{ processedAt: expect.any(Date), error: null }]);
    const correlations = await h.runtime.pool.query<{ message_name: string; cause_id: string }>('select message_name, cause_id from workflow_message_correlation where tenant_id = $1 and correlation_key = $2', [
      h.tenantId,
      `${h.tenantId}:${order.orderId}:${appointment.id}`,
    ]);
    expect(correlations.rows).toEqual([{ message_name: 'appointment-confirmed', cause_id: scheduled!.id }]);
    expect(callsTo('appointment', order.orderId)).toEqual(['SCHEDULE_APPOINTMENT']);

    // And the provisioning request at the new site was made only once the appointment was confirmed.
    const provisioning = await taskHistory(order.orderId, 'CREATE_PROVISIONING_REQUEST');
    expect(provisioning.input).toMatchObject({ action: 'MOVE', characteristics: { siteAddress: newSite } });
    const [provisioned] = await requestsOf(provisioning.id);
    expect(provisioned!.createdAt.getTime()).toBeGreaterThanOrEqual(appointment.completedAt.getTime());
    expect(provisioned!.createdAt.getTime()).toBeGreaterThanOrEqual(scheduled!.callbacks[0]!.processedAt!.getTime());
    expect(callsTo('provisioning', order.orderId)).toEqual(['CREATE_PROVISIONING_REQUEST']);

    // And the asset has a new version at the new site, the old one superseded.
    expect((await assetOf(add.orderId)).map(({ version, status, siteAddress }) => ({ version, status, siteAddress }))).toEqual([
      { version: 1, status: 'SUPERSEDED', siteAddress: site },
      { version: 2, status: 'ACTIVE', siteAddress: newSite },
    ]);
    await expectFulfillmentInvariant(h, order.orderId);
  });
});
