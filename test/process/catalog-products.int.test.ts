/**
 * Products of the default catalog that the golden flows do not run, each driven to COMPLETED on the
 * real runtime (job workers, relays, partner simulator, local engine) and ended with the seed §30
 * invariant. A product whose tasks no partner performs fails here with an incident instead of
 * reaching a user (connector-runtime/src/adapters/catalog-performers.test.ts checks the table).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectFulfillmentInvariant } from './fulfillment-invariant';
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

/** Task types the order's requests to `system` were made for, in arrival order. */
function callsTo(system: 'streaming', orderId: string): string[] {
  return h.runtime
    .simulator!.calls()
    .filter((call) => call.system === system && call.idempotencyKey.startsWith(`${h.tenantId}:${orderId}:`))
    .map((call) => call.taskType);
}

async function assetOf(orderId: string): Promise<{ id: string; version: number; status: string }[]> {
  const rows = await h.runtime.pool.query<{ id: string; version: number; status: string }>(
    `select a.id, v.version_no as version, v.status from installed_base_asset a join asset_version v on v.tenant_id = a.tenant_id and v.asset_id = a.id
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
