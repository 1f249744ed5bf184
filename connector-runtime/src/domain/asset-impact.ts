/**
 * Asset impact on the installed base (seed §18). Pure: the current asset (or none) and an order
 * item go in; the new asset and a description of what changed come out. The store persists the
 * result under the asset's optimistic version.
 *
 * Invariants:
 * - the impact matches the item action: ADD creates an asset at version 1; MODIFY adds a version and
 *   supersedes the active one; MOVE adds a version with the new location / resource; DISCONNECT
 *   closes the active version;
 * - applying the same order item again changes nothing and says so (`alreadyApplied`), even after
 *   later orders changed the asset, because each version records the order item that made it
 *   (for a repeated ADD the caller passes the asset that item created, found by that item's id);
 * - an `expectedAssetVersion` that is not the active version is a typed conflict
 *   (`ASSET.VERSION_CONFLICT`), which stops finalization (completion-policy.ts).
 */
import type { z } from 'zod';
import { BugError, BusinessError, ConcurrencyConflictError, NotFoundError } from '../errors';
import { productCharacteristics } from './order';
import type { OrderItem, SiteAddress } from './order';
import type { AssetStatus, OrderItemAction, ProductType } from './vocabulary';

type Json = z.core.util.JSONType;

/** One version of an installed product instance. */
export interface AssetVersion {
  version: number;
  status: AssetStatus;
  productCode: string;
  quantity: number;
  /** Product characteristics, location excluded. */
  characteristics: Record<string, Json>;
  siteAddress: SiteAddress | null;
  resourceId: string | null;
  sourceOrderId: string;
  sourceOrderItemId: string;
  validFrom: string;
  validTo: string | null;
  /** The DISCONNECT order item that closed this version. */
  closedByOrderItemId: string | null;
}

/** An installed product instance (subscription, service, device, add-on, bundle) with its history. */
export interface Asset {
  assetId: string;
  tenantId: string;
  productType: ProductType;
  parentAssetId: string | null;
  /** Ascending by version; at most one is ACTIVE. */
  versions: AssetVersion[];
}

/** Kinds of change; each order item action allows exactly one besides `NONE` (a repeat). */
export const assetChangeKinds = ['CREATED', 'VERSION_CREATED', 'CLOSED', 'NONE'] as const;
/** See {@link assetChangeKinds}. */
export type AssetChangeKind = (typeof assetChangeKinds)[number];

/** What applying an item did. */
export interface AssetChange {
  kind: AssetChangeKind;
  action: OrderItemAction;
  assetId: string;
  /** The active version before (null for ADD). */
  previousVersion: number | null;
  /** The version created (ADD, MODIFY, MOVE) or closed (DISCONNECT); null when nothing changed. */
  affectedVersion: number | null;
  alreadyApplied: boolean;
}

/** What the caller supplies beyond the order item. */
export interface AssetImpactContext {
  tenantId: string;
  orderId: string;
  /** ISO-8601 time of the change. */
  at: string;
  /** Id for the asset an ADD creates. */
  newAssetId?: string;
  /** Asset of the parent item (an add-on's service, a bundle child's bundle) when it is in the same order. */
  parentAssetId?: string;
}

/** The change an action must produce. */
export const changeKindOfAction: Readonly<Record<OrderItemAction, AssetChangeKind>> = {
  ADD: 'CREATED',
  MODIFY: 'VERSION_CREATED',
  MOVE: 'VERSION_CREATED',
  DISCONNECT: 'CLOSED',
};

/** An asset impact that breaks a seed §18 rule (other than a version conflict). */
export class AssetImpactError extends BusinessError {}

/** Throws `ASSET.ACTION_MISMATCH` unless `kind` is what `action` must produce (or a repeat). */
export function assertImpactMatchesAction(action: OrderItemAction, kind: AssetChangeKind): void {
  if (kind !== 'NONE' && changeKindOfAction[action] !== kind) {
    throw new AssetImpactError('ASSET.ACTION_MISMATCH', `${action} must produce ${changeKindOfAction[action]}, not ${kind}`, { action, kind });
  }
}

/** The ACTIVE version of an asset, if any. */
export function activeVersion(asset: Asset): AssetVersion | undefined {
  return asset.versions.find((version) => version.status === 'ACTIVE');
}

function location(item: OrderItem): { siteAddress: SiteAddress | null; resourceId: string | null } {
  return { siteAddress: item.attributes.siteAddress ?? null, resourceId: item.attributes.resourceId ?? null };
}

function characteristicsOf(item: OrderItem): Record<string, Json> {
  const { siteAddress: _siteAddress, resourceId: _resourceId, ...rest } = productCharacteristics(item.attributes);
  return rest;
}

function applyAdd(current: Asset | null, item: OrderItem, context: AssetImpactContext): { asset: Asset; change: AssetChange } {
  if (current) {
    const first = current.versions[0];
    if (first && first.sourceOrderId === context.orderId && first.sourceOrderItemId === item.orderItemId) {
      return { asset: current, change: { kind: 'NONE', action: 'ADD', assetId: current.assetId, previousVersion: null, affectedVersion: null, alreadyApplied: true } };
    }
    throw new AssetImpactError('ASSET.ALREADY_EXISTS', `ADD creates a new asset, but asset ${current.assetId} was given`, {
      assetId: current.assetId,
      orderItemId: item.orderItemId,
    });
  }
  if (!context.newAssetId) throw new BugError('ASSET.ID_MISSING', 'ADD needs context.newAssetId', { orderItemId: item.orderItemId });
  const parentAssetId = context.parentAssetId ?? item.attributes.parentAssetId ?? null;
  if (item.productType === 'ADD_ON' && parentAssetId === null) {
    throw new AssetImpactError('ASSET.PARENT_REQUIRED', 'an add-on asset hangs under its parent service asset', { orderItemId: item.orderItemId });
  }
  const asset: Asset = {
    assetId: context.newAssetId,
    tenantId: context.tenantId,
    productType: item.productType,
    parentAssetId,
    versions: [
      {
        version: 1,
        status: 'ACTIVE',
        productCode: item.productCode,
        quantity: item.quantity,
        characteristics: characteristicsOf(item),
        ...location(item),
        sourceOrderId: context.orderId,
        sourceOrderItemId: item.orderItemId,
        validFrom: context.at,
        validTo: null,
        closedByOrderItemId: null,
      },
    ],
  };
  return { asset, change: { kind: 'CREATED', action: 'ADD', assetId: asset.assetId, previousVersion: null, affectedVersion: 1, alreadyApplied: false } };
}

/**
 * Applies one order item to the installed base. Throws `NotFoundError` (`ASSET.NOT_FOUND`) for a
 * missing asset or one of another tenant, `ConcurrencyConflictError` (`ASSET.VERSION_CONFLICT`) for
 * a stale `expectedAssetVersion`, and `AssetImpactError` (`ASSET.*`) when the item does not fit the
 * asset (wrong asset, product, not active, ADD on an existing asset).
 */
export function applyAssetImpact(current: Asset | null, item: OrderItem, context: AssetImpactContext): { asset: Asset; change: AssetChange } {
  if (Number.isNaN(Date.parse(context.at))) throw new BugError('ASSET.TIME_INVALID', `"${context.at}" is not an ISO-8601 timestamp`);
  if (current && current.tenantId !== context.tenantId) throw new NotFoundError('asset', current.assetId);
  if (item.action === 'ADD') return applyAdd(current, item, context);

  const assetId = item.attributes.existingAssetId;
  if (!assetId) {
    throw new AssetImpactError('ASSET.ID_MISSING', `${item.action} needs attributes.existingAssetId`, { orderItemId: item.orderItemId });
  }
  if (!current) throw new NotFoundError('asset', assetId);
  if (current.assetId !== assetId) {
    throw new AssetImpactError('ASSET.MISMATCH', `order item ${item.orderItemId} acts on asset ${assetId}, not ${current.assetId}`, {
      orderItemId: item.orderItemId,
      assetId,
      givenAssetId: current.assetId,
    });
  }

  // A repeat is recognised before any other check: the asset may have moved on since the first apply.
  const repeated =
    item.action === 'DISCONNECT'
      ? current.versions.some((version) => version.closedByOrderItemId === item.orderItemId)
      : current.versions.some((version) => version.sourceOrderId === context.orderId && version.sourceOrderItemId === item.orderItemId);
  const active = activeVersion(current);
  if (repeated) {
    return {
      asset: current,
      change: { kind: 'NONE', action: item.action, assetId, previousVersion: active?.version ?? null, affectedVersion: null, alreadyApplied: true },
    };
  }

  if (current.productType !== item.productType) {
    throw new AssetImpactError('ASSET.PRODUCT_MISMATCH', `asset ${assetId} is a ${current.productType}, the order item a ${item.productType}`, {
      assetId,
    });
  }
  if (!active) {
    throw new AssetImpactError('ASSET.NOT_ACTIVE', `asset ${assetId} has no active version to ${item.action}`, { assetId, action: item.action });
  }
  if (item.action !== 'MODIFY' && active.productCode !== item.productCode) {
    throw new AssetImpactError('ASSET.PRODUCT_MISMATCH', `asset ${assetId} is ${active.productCode}, the order item ${item.productCode}`, { assetId });
  }
  const expected = item.attributes.expectedAssetVersion;
  if (expected !== undefined && expected !== active.version) {
    throw new ConcurrencyConflictError('asset', assetId, expected);
  }

  if (item.action === 'DISCONNECT') {
    const closed: AssetVersion = { ...active, status: 'CLOSED', validTo: context.at, closedByOrderItemId: item.orderItemId };
    return {
      asset: { ...current, versions: current.versions.map((version) => (version === active ? closed : version)) },
      change: { kind: 'CLOSED', action: 'DISCONNECT', assetId, previousVersion: active.version, affectedVersion: active.version, alreadyApplied: false },
    };
  }

  const next: AssetVersion = {
    ...active,
    version: Math.max(...current.versions.map((version) => version.version)) + 1,
    status: 'ACTIVE',
    sourceOrderId: context.orderId,
    sourceOrderItemId: item.orderItemId,
    validFrom: context.at,
    validTo: null,
    closedByOrderItemId: null,
    ...(item.action === 'MODIFY'
      ? { productCode: item.productCode, quantity: item.quantity, characteristics: { ...active.characteristics, ...characteristicsOf(item) } }
      : {
          siteAddress: item.attributes.siteAddress ?? active.siteAddress,
          resourceId: item.attributes.resourceId ?? active.resourceId,
        }),
  };
  const superseded: AssetVersion = { ...active, status: 'SUPERSEDED', validTo: context.at };
  const result = {
    asset: { ...current, versions: [...current.versions.map((version) => (version === active ? superseded : version)), next] },
    change: {
      kind: 'VERSION_CREATED' as const,
      action: item.action,
      assetId,
      previousVersion: active.version,
      affectedVersion: next.version,
      alreadyApplied: false,
    },
  };
  assertImpactMatchesAction(item.action, result.change.kind);
  return result;
}
