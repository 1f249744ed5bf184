/**
 * Worker tests of `apply-installed-base-impact` (seed §18, §27): each order item changes the
 * installed base once, whatever the number of runs; a MODIFY adds a version under the asset's
 * optimistic version; a stale `expectedAssetVersion` refuses the whole run (nothing of it kept)
 * and routes to fallout with an INSTALLED_BASE_CONFLICT reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeValidatedOrder, startFulfillment } from '../../commands/start-fulfillment';
import { parseOrder } from '../../domain/order';
import { newJobKey, openHandlerKit, type HandlerKit, type StartedOrder } from '../fixtures/handler-test-kit';
import { applyInstalledBaseImpactHandler } from './handler';
import { applyInstalledBaseImpactContract } from './schema';

let kit: HandlerKit;
beforeAll(async () => {
  kit = await openHandlerKit('h_installed_base');
});
afterAll(async () => kit?.close());

type Subject = Pick<StartedOrder, 'tenantId' | 'fulfillmentPlanId'> & { orderId: string };

function applyJob(subject: Subject, jobKey = newJobKey()) {
  return kit.runJob(applyInstalledBaseImpactContract, applyInstalledBaseImpactHandler(kit.deps), {
    variables: { tenantId: subject.tenantId, orderId: subject.orderId, fulfillmentPlanId: subject.fulfillmentPlanId },
    headers: { phase: 'INSTALLED_BASE' },
    jobKey,
  });
}

/** The bundle order with every task done (set in the table: setup only) and its impact applied once. */
async function installedBundle(): Promise<{ started: StartedOrder; subject: Subject; assetOf: (productCode: string) => Promise<string> }> {
  const started = await kit.startedOrder();
  await kit.pool.query(`update fulfillment_task set status = 'COMPLETED', completed_at = now() where tenant_id = $1 and order_id = $2`, [started.tenantId, started.order.orderId]);
  const subject = { tenantId: started.tenantId, orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId };
  return {
    started,
    subject,
    async assetOf(productCode) {
      const row = await kit.pool.query<{ id: string }>('select id from installed_base_asset where tenant_id = $1 and created_by_order_id = $2 and product_code = $3', [started.tenantId, started.order.orderId, productCode]);
      return row.rows[0]!.id;
    },
  };
}

/** Places and starts a MODIFY order of `items` (each on an installed asset) for the tenant. */
async function modifyOrder(tenantId: string, items: { productType: string; productCode: string; attributes: Record<string, unknown> }[]): Promise<Subject> {
  const order = parseOrder({
    tenantId,
    orderId: randomUUID(),
    orderVersion: 1,
    completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE',
    items: items.map((item) => ({ orderItemId: randomUUID(), action: 'MODIFY', ...item })),
  });
  await placeValidatedOrder(kit.pool, order, { actor: 'test' });
  const { fulfillmentPlanId } = await startFulfillment(kit.pool, { tenantId, orderId: order.orderId, actor: 'test' });
  return { tenantId, orderId: order.orderId, fulfillmentPlanId };
}

async function versions(tenantId: string, assetId: string): Promise<{ version_no: number; status: string; source_order_id: string }[]> {
  return (await kit.pool.query('select version_no, status, source_order_id from asset_version where tenant_id = $1 and asset_id = $2 order by version_no', [tenantId, assetId])).rows;
}

async function impactEvents(subject: Subject): Promise<number> {
  return (await kit.pool.query(`select 1 from outbox where tenant_id = $1 and correlation_id = $2 and event_type = 'InstalledBaseUpdated'`, [subject.tenantId, subject.orderId])).rowCount ?? 0;
}

describe('apply-installed-base-impact', () => {
  it('given an order whose tasks are done, when the job runs twice, then one asset per item with its parent, one version each, and the second run changes nothing', async () => {
    const { started, subject } = await installedBundle();
    const first = await applyJob(subject);
    const second = await applyJob(subject);
    expect(first.outcome).toBe('completed');
    expect(first.completed).toEqual({ installedBaseApplied: true, falloutReason: null });
    expect(second.completed).toEqual(first.completed);

    const assets = await kit.pool.query<{ id: string; product_code: string; parent_asset_id: string | null; version: string }>(
      'select id, product_code, parent_asset_id, version from installed_base_asset where tenant_id = $1 and created_by_order_id = $2',
      [started.tenantId, started.order.orderId],
    );
    expect(assets.rows.map((row) => row.product_code).sort()).toEqual(['BB-HOME-BUNDLE', 'FIBER-500', 'ROUTER-WIFI6', 'STATIC-IP']);
    const byCode = new Map(assets.rows.map((row) => [row.product_code, row]));
    expect(byCode.get('BB-HOME-BUNDLE')!.parent_asset_id).toBeNull();
    expect(byCode.get('FIBER-500')!.parent_asset_id).toBe(byCode.get('BB-HOME-BUNDLE')!.id);
    expect(byCode.get('ROUTER-WIFI6')!.parent_asset_id).toBe(byCode.get('BB-HOME-BUNDLE')!.id);
    expect(byCode.get('STATIC-IP')!.parent_asset_id).toBe(byCode.get('FIBER-500')!.id);
    const activeVersions = await kit.pool.query(`select 1 from asset_version where tenant_id = $1 and source_order_id = $2 and status = 'ACTIVE' and version_no = 1`, [started.tenantId, started.order.orderId]);
    expect(activeVersions.rowCount).toBe(4);
    expect(await impactEvents(subject)).toBe(4);
  });

  it('given an installed service, when a second order MODIFIES it with the current expectedAssetVersion, then version 2 is active, version 1 superseded, and a redelivery adds nothing', async () => {
    const { started, subject, assetOf } = await installedBundle();
    await applyJob(subject);
    const fibre = await assetOf('FIBER-500');
    const upgrade = await modifyOrder(started.tenantId, [{ productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: fibre, expectedAssetVersion: 1, downloadMbps: 1000 } }]);
    const jobKey = newJobKey();
    expect((await applyJob(upgrade, jobKey)).completed).toEqual({ installedBaseApplied: true, falloutReason: null });
    expect((await applyJob(upgrade, jobKey)).completed).toEqual({ installedBaseApplied: true, falloutReason: null });
    expect(await versions(started.tenantId, fibre)).toEqual([
      { version_no: 1, status: 'SUPERSEDED', source_order_id: started.order.orderId },
      { version_no: 2, status: 'ACTIVE', source_order_id: upgrade.orderId },
    ]);
    expect(await impactEvents(upgrade)).toBe(1);
  });

  it('given a MODIFY whose expectedAssetVersion is stale, then installedBaseApplied is false with an INSTALLED_BASE_CONFLICT reason and nothing of that run is kept', async () => {
    const { started, subject, assetOf } = await installedBundle();
    await applyJob(subject);
    const fibre = await assetOf('FIBER-500');
    const bundle = await assetOf('BB-HOME-BUNDLE');
    const upgrade = await modifyOrder(started.tenantId, [{ productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: fibre, expectedAssetVersion: 1, downloadMbps: 1000 } }]);
    await applyJob(upgrade);

    // Planned against version 1 of both assets; the fibre moved on to version 2 in the meantime.
    const late = await modifyOrder(started.tenantId, [
      { productType: 'BUNDLE', productCode: 'BB-HOME-BUNDLE', attributes: { existingAssetId: bundle, expectedAssetVersion: 1, contractTermMonths: 36 } },
      { productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: fibre, expectedAssetVersion: 1, downloadMbps: 250 } },
    ]);
    const answer = await applyJob(late);
    expect(answer.outcome).toBe('completed');
    expect(answer.completed!['installedBaseApplied']).toBe(false);
    expect(String(answer.completed!['falloutReason'])).toMatch(/^INSTALLED_BASE_CONFLICT: MODIFY FIBER-500/);

    // The bundle item was applied before the conflict and rolled back with it.
    expect(await versions(started.tenantId, bundle)).toEqual([{ version_no: 1, status: 'ACTIVE', source_order_id: started.order.orderId }]);
    expect((await versions(started.tenantId, fibre)).map((row) => row.status)).toEqual(['SUPERSEDED', 'ACTIVE']);
    expect((await kit.pool.query('select 1 from asset_version where tenant_id = $1 and source_order_id = $2', [started.tenantId, late.orderId])).rowCount).toBe(0);
    expect(await impactEvents(late)).toBe(0);
    const assetRow = await kit.pool.query<{ version: string }>('select version from installed_base_asset where tenant_id = $1 and id = $2', [started.tenantId, bundle]);
    expect(Number(assetRow.rows[0]!.version)).toBe(0);
  });
});
