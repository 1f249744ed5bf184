/**
 * Golden flow tests (seed §27): each flow runs on the real runtime and its normalised timeline
 * (`golden-timeline.ts`) must equal the file under test/golden/ — a change fails with a line diff.
 * `npm run golden:update` (GOLDEN_UPDATE=1) rewrites the files instead; review their diff.
 * Every flow also ends with the seed §30 invariant.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cancelOrder } from '../../connector-runtime/src/commands/cancel-order';
import { confirmOnSite, findUserTaskOf } from '../../connector-runtime/src/engine/tasklist-client';
import { expectFulfillmentInvariant } from './fulfillment-invariant';
import { goldenTimeline } from './golden-timeline';
import { fibreItem, routerItem } from './order-items';
import { driveToEnd, startRuntimeHarness, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
vi.setConfig({ testTimeout: 120_000 });
const update = process.env['GOLDEN_UPDATE'] === '1';

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_golden');
});
afterEach(() => {
  h.runtime.simulator!.reset();
});
afterAll(async () => {
  await h?.close();
});

/** Checks the invariant, then compares (or rewrites) the order's golden timeline. */
async function expectGolden(orderId: string, name: string, title: string): Promise<void> {
  await expectFulfillmentInvariant(h, orderId);
  const actual = await goldenTimeline(h, orderId, title);
  const file = new URL(`../golden/${name}.timeline.txt`, import.meta.url);
  if (update || !existsSync(file)) {
    await writeFile(file, actual);
    return;
  }
  expect(actual, `test/golden/${name}.timeline.txt (npm run golden:update rewrites it)`).toBe(await readFile(file, 'utf8'));
}

// The MODIFY and DISCONNECT flows act on the asset the ADD flow installs: they run in this order.
let fibreAssetId: string;

describe('golden flows', () => {
  it('ADD product: a fibre service is added', async () => {
    const { order } = await h.startOrder([fibreItem('ADD')]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    fibreAssetId = (await h.runtime.pool.query<{ id: string }>('select id from installed_base_asset where tenant_id = $1 and created_by_order_id = $2', [h.tenantId, order.orderId])).rows[0]!.id;
    await expectGolden(order.orderId, 'add-product', 'ADD product: FIBER-500 added');
  });

  it('MODIFY product: the fibre service is upgraded', async () => {
    const { order } = await h.startOrder([fibreItem('MODIFY', { existingAssetId: fibreAssetId, expectedAssetVersion: 1, downloadMbps: 1000 })]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectGolden(order.orderId, 'modify-product', 'MODIFY product: FIBER-500 upgraded to 1000 Mbps (asset version 1 -> 2)');
  });

  it('DISCONNECT product: the fibre service is disconnected', async () => {
    const { order } = await h.startOrder([fibreItem('DISCONNECT', { existingAssetId: fibreAssetId, expectedAssetVersion: 2 })]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectGolden(order.orderId, 'disconnect-product', 'DISCONNECT product: FIBER-500 disconnected (asset version 2 closed)');
  });

  it('bundle fulfillment: the broadband bundle (fibre, router, static IP)', async () => {
    const { order } = await h.startSampleOrder();
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectGolden(order.orderId, 'bundle', 'Bundle fulfillment: BB-HOME-BUNDLE with FIBER-500, ROUTER-WIFI6 and STATIC-IP');
  });

  it('async provisioning: the provisioning callback is redelivered and re-sent', async () => {
    // Each callback arrives twice under its webhook-id and once more under a new one.
    h.runtime.simulator!.configure('provisioning', { duplicateCallback: true, duplicateCallbackNewId: true });
    const { order } = await h.startOrder([fibreItem('ADD')]);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await h.runtime.simulator!.whenIdle();
    await h.until('the re-sent callback stored as a duplicate', async () => {
      const rows = await h.runtime.pool.query(
        `select 1 from callback_inbox i join external_call_attempt c on c.tenant_id = i.tenant_id and c.id = i.external_call_attempt_id
          where i.tenant_id = $1 and c.order_id = $2 and i.processing_error like 'CALLBACK.DUPLICATE%'`,
        [h.tenantId, order.orderId],
      );
      return rows.rowCount === 1 ? true : undefined;
    });
    await expectGolden(order.orderId, 'async-provisioning', 'Async provisioning: FIBER-500 added; the provisioning callback is redelivered (same webhook-id) and re-sent (new webhook-id)');
  });

  it('manual review: the technician confirms the on-site installation in its Tasklist form', async () => {
    const { order } = await h.startOrder([routerItem()]);
    const installation = await h.until('the installation to wait for a person', async () => {
      const task = (await h.taskStatuses(order.orderId)).find((candidate) => candidate.taskType === 'ONSITE_INSTALLATION_CONFIRMATION');
      return task?.status === 'WAITING' ? task : undefined;
    });
    const key = (await h.processInstanceKey(order.orderId))!;
    const userTask = await h.until('the installation user task', () => findUserTaskOf(h.runtime.camunda.restAddress!, key, installation.id));
    await h.technician.complete(userTask.userTaskKey, confirmOnSite);
    expect(await driveToEnd(h, order.orderId)).toBe('COMPLETED');
    await expectGolden(order.orderId, 'manual-review', 'Manual review: ROUTER-WIFI6 added; the technician confirms the installation through the Tasklist form');
  });

  it('cancellation after partial completion: the bundle is cancelled while provisioning and delivery wait', async () => {
    h.runtime.simulator!.configure('provisioning', { noCallback: true });
    h.runtime.simulator!.configure('shipping', { holdCallbacks: true });
    const { order } = await h.startSampleOrder();
    // A fixed point to cancel at: both reservations and the shipment done, provisioning and delivery waiting.
    await h.until('the reservations and the shipment done, provisioning and delivery waiting', async () => {
      const tasks = await h.taskStatuses(order.orderId);
      const status = (sequence: number) => tasks.find((task) => task.sequence === sequence)!.status;
      return [4, 8, 12].every((sequence) => status(sequence) === 'COMPLETED') && status(5) === 'WAITING' && status(9) === 'WAITING' ? true : undefined;
    });
    await cancelOrder(h.runtime.pool, { tenantId: h.tenantId, orderId: order.orderId, reason: 'Customer withdrew the order', actor: 'crm:bob' });
    expect(await driveToEnd(h, order.orderId)).toBe('COMPENSATED');
    await expectGolden(order.orderId, 'cancellation-after-partial-completion', 'Cancellation after partial completion: the bundle is cancelled while the fibre provisioning and the router delivery wait');
  });
});
