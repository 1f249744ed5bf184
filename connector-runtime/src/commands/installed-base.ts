/**
 * *Apply installed-base impact* (seed §18): each order item changes the installed base once — ADD
 * creates an asset, MODIFY and MOVE add a version, DISCONNECT closes the active one — under the
 * asset's optimistic version. Re-applying an item changes nothing (the domain recognises its own
 * versions); a version conflict stops the order from completing and becomes fallout. The revert
 * (compensation, seed §16) undoes what the order made while keeping the history.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ConcurrencyConflictError, FulfillmentError } from '../errors';
import { applyAssetImpact, type Asset, type AssetChange } from '../domain/asset-impact';
import type { OrderItem, SiteAddress } from '../domain/order';
import type { AssetStatus, ProductType } from '../domain/vocabulary';
import { withTransaction, type Tx } from '../store/database';
import { loadOrder } from '../store/order-repository';
import {
  bumpAssetVersion,
  endAssetVersion,
  insertAsset,
  insertAssetVersion,
  reactivateAssetVersion,
  selectAssetCreatedByItem,
  selectAssetForUpdate,
  selectAssetVersions,
  selectVersionsClosedByOrder,
  selectVersionsMadeByOrder,
  type AssetRow,
} from '../store/queries/installed-base';
import { aggregateTypes, audit, emitEvent, nowOf, type CommandDeps } from './command-context';

/** The result of applying one item. */
export type ItemImpact =
  | { applied: true; assetId: string; change: AssetChange }
  | { applied: false; code: string; reason: string };

async function loadAsset(tx: Tx, row: AssetRow): Promise<{ asset: Asset; version: number }> {
  const versions = await selectAssetVersions(tx, [row.tenant_id, row.id]);
  return {
    version: Number(row.version),
    asset: {
      assetId: row.id,
      tenantId: row.tenant_id,
      productType: row.product_type as ProductType,
      parentAssetId: row.parent_asset_id,
      versions: versions.map((v) => ({
        version: v.version_no,
        status: v.status as AssetStatus,
        productCode: v.product_code,
        quantity: v.quantity,
        characteristics: v.characteristics as Asset['versions'][number]['characteristics'],
        siteAddress: v.site_address as SiteAddress | null,
        resourceId: v.resource_id,
        sourceOrderId: v.source_order_id,
        sourceOrderItemId: v.source_order_item_id,
        validFrom: v.valid_from.toISOString(),
        validTo: v.valid_to?.toISOString() ?? null,
        closedByOrderItemId: v.closed_by_order_item_id,
      })),
    },
  };
}

async function applyOne(
  tx: Tx,
  params: { tenantId: string; orderId: string; item: OrderItem; actor: string; at: string },
): Promise<ItemImpact> {
  const { tenantId, orderId, item, at } = params;
  const row =
    item.action === 'ADD'
      ? (await selectAssetCreatedByItem(tx, [tenantId, item.orderItemId]))[0]
      : (await selectAssetForUpdate(tx, [tenantId, item.attributes.existingAssetId]))[0];
  const current = row ? await loadAsset(tx, row) : undefined;
  const parent = item.parentItemId === undefined ? undefined : (await selectAssetCreatedByItem(tx, [tenantId, item.parentItemId]))[0];
  let applied: { asset: Asset; change: AssetChange };
  try {
    applied = applyAssetImpact(current?.asset ?? null, item, {
      tenantId,
      orderId,
      at,
      newAssetId: randomUUID(),
      ...(parent ? { parentAssetId: parent.id } : {}),
    });
  } catch (error) {
    if (error instanceof FulfillmentError && error.kind === 'business') {
      return { applied: false, code: error instanceof ConcurrencyConflictError ? 'INSTALLED_BASE_CONFLICT' : error.code, reason: error.message };
    }
    throw error;
  }
  const { asset, change } = applied;
  const newest = asset.versions.find((v) => v.version === change.affectedVersion);
  if (change.kind === 'CREATED' && newest) {
    await insertAsset(tx, [tenantId, asset.assetId, asset.productType, item.productCode, asset.parentAssetId, orderId, item.orderItemId]);
  } else if (change.kind !== 'NONE') {
    // The row lock and this guarded bump make a concurrent impact on the same asset lose, not interleave.
    const bumped = await bumpAssetVersion(tx, [tenantId, asset.assetId, current!.version]);
    if (bumped.length === 0) return { applied: false, code: 'INSTALLED_BASE_CONFLICT', reason: `asset ${asset.assetId} changed concurrently` };
    if (change.previousVersion !== null) {
      await endAssetVersion(tx, [tenantId, asset.assetId, change.previousVersion, change.kind === 'CLOSED' ? 'CLOSED' : 'SUPERSEDED', at, change.kind === 'CLOSED' ? item.orderItemId : null]);
    }
  }
  if ((change.kind === 'CREATED' || change.kind === 'VERSION_CREATED') && newest) {
    await insertAssetVersion(tx, [
      tenantId,
      asset.assetId,
      newest.version,
      newest.productCode,
      newest.quantity,
      JSON.stringify(newest.characteristics),
      newest.siteAddress === null ? null : JSON.stringify(newest.siteAddress),
      newest.resourceId,
      orderId,
      item.orderItemId,
      at,
    ]);
  }
  if (change.kind !== 'NONE') {
    await audit(tx, { tenantId, orderId, entityType: aggregateTypes.asset, entityId: asset.assetId, action: `ASSET_${change.kind}`, stateAfter: change.kind, details: { ...change, orderItemId: item.orderItemId }, actor: params.actor, at });
    await emitEvent(tx, {
      eventType: 'InstalledBaseUpdated',
      tenantId,
      orderId,
      aggregateType: aggregateTypes.asset,
      aggregateId: asset.assetId,
      at,
      payload: { orderItemId: item.orderItemId, action: item.action, change: change.kind, previousVersion: change.previousVersion, version: change.affectedVersion },
    });
  }
  return { applied: true, assetId: asset.assetId, change };
}

/** Applies the impact of one order item inside `tx` (the UPDATE_INSTALLED_BASE task). */
export async function applyItemImpact(
  tx: Tx,
  params: { tenantId: string; orderId: string; orderItemId: string; actor: string; at: string },
): Promise<ItemImpact> {
  const order = await loadOrder(tx, params);
  const item = order.items.find((candidate) => candidate.orderItemId === params.orderItemId);
  if (!item) return { applied: false, code: 'ORDER_ITEM.NOT_FOUND', reason: `order item ${params.orderItemId} is not part of order ${params.orderId}` };
  return applyOne(tx, { ...params, item });
}

/** Items with parents first, so a child finds its parent's asset. */
function parentsFirst(items: readonly OrderItem[]): OrderItem[] {
  const depth = (item: OrderItem): number => {
    let d = 0;
    let parent = item.parentItemId;
    while (parent !== undefined && d < items.length) {
      d += 1;
      parent = items.find((candidate) => candidate.orderItemId === parent)?.parentItemId;
    }
    return d;
  };
  return [...items].sort((a, b) => depth(a) - depth(b));
}

/**
 * `apply-installed-base-impact` (seed §18): applies every item of the order (idempotently: items
 * whose UPDATE_INSTALLED_BASE task already ran change nothing). The first item that cannot be
 * applied stops it, and nothing of this call is kept.
 */
export async function applyInstalledBaseImpact(
  pool: pg.Pool,
  command: { tenantId: string; orderId: string; fulfillmentPlanId: string; actor: string },
  deps: CommandDeps = {},
): Promise<{ installedBaseApplied: boolean; falloutReason: string | null }> {
  try {
    return await withTransaction(pool, async (tx) => {
      const at = nowOf(deps);
      const order = await loadOrder(tx, command);
      for (const item of parentsFirst(order.items)) {
        const impact = await applyOne(tx, { ...command, item, at });
        // Roll back what this call applied before the conflict; the route opens the fallout case.
        if (!impact.applied) throw new ImpactRefused(`${impact.code === "INSTALLED_BASE_CONFLICT" ? "INSTALLED_BASE_CONFLICT" : "ASSET_IMPACT"}: ${item.action} ${item.productCode}: ${impact.reason}`);
      }
      return { installedBaseApplied: true, falloutReason: null };
    });
  } catch (error) {
    if (error instanceof ImpactRefused) return { installedBaseApplied: false, falloutReason: error.message.slice(0, 500) };
    throw error;
  }
}

class ImpactRefused extends Error {}

/**
 * Reverts the installed-base impact of an order inside `tx` (REVERT_INSTALLED_BASE, seed §16):
 * versions it made are ended and the ones they replaced are active again; versions it closed are
 * reopened. History stays: nothing is deleted.
 */
export async function revertOrderImpact(tx: Tx, params: { tenantId: string; orderId: string; actor: string; at: string }): Promise<number> {
  const { tenantId, orderId, at } = params;
  let reverted = 0;
  for (const version of await selectVersionsMadeByOrder(tx, [tenantId, orderId])) {
    if (version.status !== 'ACTIVE') continue;
    const asset = (await selectAssetForUpdate(tx, [tenantId, version.asset_id]))[0]!;
    await bumpAssetVersion(tx, [tenantId, asset.id, Number(asset.version)]);
    // The version the order made ends; the version before it (if any) is active again.
    await endAssetVersion(tx, [tenantId, version.asset_id, version.version_no, version.version_no === 1 ? 'CLOSED' : 'SUPERSEDED', at, version.version_no === 1 ? version.source_order_item_id : null]);
    if (version.version_no > 1) await reactivateAssetVersion(tx, [tenantId, version.asset_id, version.version_no - 1]);
    reverted += 1;
  }
  for (const closed of await selectVersionsClosedByOrder(tx, [tenantId, orderId])) {
    await reactivateAssetVersion(tx, [tenantId, closed.asset_id, closed.version_no]);
    reverted += 1;
  }
  await audit(tx, { tenantId, orderId, entityType: aggregateTypes.asset, entityId: orderId, action: 'INSTALLED_BASE_REVERTED', details: { versions: reverted }, actor: params.actor, at });
  return reverted;
}
