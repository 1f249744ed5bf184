import { describe, expect, it } from 'vitest';
import { ConcurrencyConflictError, NotFoundError } from '../errors';
import { activeVersion, applyAssetImpact, assertImpactMatchesAction, AssetImpactError, changeKindOfAction } from './asset-impact';
import type { Asset, AssetImpactContext } from './asset-impact';
import { orderItemSchema } from './order';
import type { OrderItem } from './order';

const assetId = '7a1d1c2a-7f3d-4c1e-9a6b-2d8f4e0caa01';
const parentAssetId = '7a1d1c2a-7f3d-4c1e-9a6b-2d8f4e0caa99';
const oldSite = { line1: 'Jl. Sudirman 12', city: 'Jakarta', postalCode: '10220', countryCode: 'ID' };
const newSite = { line1: 'Jl. Asia Afrika 8', city: 'Bandung', postalCode: '40111', countryCode: 'ID' };
const orderA = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9001';
const orderB = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9002';

let itemCounter = 0;
function item(fields: Record<string, unknown>): OrderItem {
  itemCounter += 1;
  return orderItemSchema.parse({
    orderItemId: `0b5e1c2a-7f3d-4c1e-9a6b-${String(itemCounter).padStart(12, '0')}`,
    productType: 'NETWORK_SERVICE',
    productCode: 'FIBER-500',
    ...fields,
  });
}
const context = (orderId: string, at: string, extra: Partial<AssetImpactContext> = {}): AssetImpactContext => ({ tenantId: 'tenant-a', orderId, at, ...extra });

/** A fibre service added by order A at 05:00. */
function installed(): { asset: Asset; add: OrderItem } {
  const add = item({ action: 'ADD', attributes: { siteAddress: oldSite, resourceId: 'olt-1/port-1', downloadMbps: 500 } });
  const { asset } = applyAssetImpact(null, add, context(orderA, '2026-07-02T05:00:00Z', { newAssetId: assetId }));
  return { asset, add };
}

describe('ADD', () => {
  it('creates a product instance at version 1, with location and characteristics', () => {
    const { asset } = installed();
    expect(asset).toEqual({
      assetId,
      tenantId: 'tenant-a',
      productType: 'NETWORK_SERVICE',
      parentAssetId: null,
      versions: [
        expect.objectContaining({
          version: 1,
          status: 'ACTIVE',
          productCode: 'FIBER-500',
          characteristics: { downloadMbps: 500 },
          siteAddress: oldSite,
          resourceId: 'olt-1/port-1',
          sourceOrderId: orderA,
          validTo: null,
        }),
      ],
    });
  });

  it('is idempotent: the same item applied again changes nothing', () => {
    const { asset, add } = installed();
    const again = applyAssetImpact(asset, add, context(orderA, '2026-07-02T06:00:00Z', { newAssetId: 'unused' }));
    expect(again.asset).toBe(asset);
    expect(again.change).toEqual({ kind: 'NONE', action: 'ADD', assetId, previousVersion: null, affectedVersion: null, alreadyApplied: true });
  });

  it('refuses to ADD over an asset made by another item', () => {
    const { asset } = installed();
    expect(() => applyAssetImpact(asset, item({ action: 'ADD', attributes: { siteAddress: oldSite } }), context(orderB, '2026-07-03T00:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'ASSET.ALREADY_EXISTS' }),
    );
  });

  it('hangs an add-on under its parent service asset, and refuses an add-on without one', () => {
    const addOn = item({ action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP' });
    const result = applyAssetImpact(null, addOn, context(orderA, '2026-07-02T05:00:00Z', { newAssetId: assetId, parentAssetId }));
    expect(result.asset.parentAssetId).toBe(parentAssetId);
    expect(() => applyAssetImpact(null, addOn, context(orderA, '2026-07-02T05:00:00Z', { newAssetId: assetId }))).toThrow(AssetImpactError);
  });
});

describe('MODIFY', () => {
  it('creates version 2 and supersedes version 1', () => {
    const { asset } = installed();
    const modify = item({ action: 'MODIFY', productCode: 'FIBER-1000', attributes: { existingAssetId: assetId, expectedAssetVersion: 1, downloadMbps: 1000 } });
    const { asset: after, change } = applyAssetImpact(asset, modify, context(orderB, '2026-08-01T00:00:00Z'));
    expect(change).toEqual({ kind: 'VERSION_CREATED', action: 'MODIFY', assetId, previousVersion: 1, affectedVersion: 2, alreadyApplied: false });
    expect(after.versions.map((version) => [version.version, version.status, version.productCode, version.validTo])).toEqual([
      [1, 'SUPERSEDED', 'FIBER-500', '2026-08-01T00:00:00Z'],
      [2, 'ACTIVE', 'FIBER-1000', null],
    ]);
    expect(activeVersion(after)).toMatchObject({ characteristics: { downloadMbps: 1000 }, siteAddress: oldSite, sourceOrderItemId: modify.orderItemId });
    expect(asset.versions[0]!.status).toBe('ACTIVE');
  });

  it('is idempotent, even after a later order moved the asset on', () => {
    const { asset } = installed();
    const modify = item({ action: 'MODIFY', attributes: { existingAssetId: assetId, expectedAssetVersion: 1, downloadMbps: 1000 } });
    const once = applyAssetImpact(asset, modify, context(orderB, '2026-08-01T00:00:00Z')).asset;
    const twice = applyAssetImpact(once, modify, context(orderB, '2026-08-01T00:05:00Z'));
    expect(twice.asset).toBe(once);
    expect(twice.change).toMatchObject({ kind: 'NONE', alreadyApplied: true, previousVersion: 2 });
    // The expected version (1) no longer matches, yet the repeat is recognised before the conflict check.
    const moved = applyAssetImpact(once, item({ action: 'MOVE', attributes: { existingAssetId: assetId, siteAddress: newSite } }), context(orderB, '2026-09-01T00:00:00Z')).asset;
    expect(applyAssetImpact(moved, modify, context(orderB, '2026-09-02T00:00:00Z')).change.kind).toBe('NONE');
  });

  it('stops on a version conflict with a typed error', () => {
    const { asset } = installed();
    const winner = item({ action: 'MODIFY', attributes: { existingAssetId: assetId, expectedAssetVersion: 1 } });
    const first = applyAssetImpact(asset, winner, context(orderB, '2026-08-01T00:00:00Z')).asset;
    const stale = item({ action: 'MODIFY', attributes: { existingAssetId: assetId, expectedAssetVersion: 1, downloadMbps: 2000 } });
    let caught: unknown;
    try {
      applyAssetImpact(first, stale, context(orderA, '2026-08-02T00:00:00Z'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConcurrencyConflictError);
    expect(caught).toMatchObject({ code: 'ASSET.VERSION_CONFLICT', kind: 'business', details: { entity: 'asset', id: assetId, expectedVersion: '1' } });
  });
});

describe('MOVE', () => {
  it('creates a new version with the new location and resource, keeping the product', () => {
    const { asset } = installed();
    const move = item({ action: 'MOVE', attributes: { existingAssetId: assetId, siteAddress: newSite, resourceId: 'olt-9/port-4' } });
    const { asset: after, change } = applyAssetImpact(asset, move, context(orderB, '2026-08-01T00:00:00Z'));
    expect(change).toMatchObject({ kind: 'VERSION_CREATED', action: 'MOVE', previousVersion: 1, affectedVersion: 2 });
    expect(activeVersion(after)).toMatchObject({ siteAddress: newSite, resourceId: 'olt-9/port-4', productCode: 'FIBER-500', characteristics: { downloadMbps: 500 } });
    expect(after.versions[0]).toMatchObject({ status: 'SUPERSEDED', siteAddress: oldSite });
  });

  it('keeps the old site when only the resource changes', () => {
    const { asset } = installed();
    const move = item({ action: 'MOVE', attributes: { existingAssetId: assetId, resourceId: 'olt-1/port-7' } });
    expect(activeVersion(applyAssetImpact(asset, move, context(orderB, '2026-08-01T00:00:00Z')).asset)).toMatchObject({ siteAddress: oldSite, resourceId: 'olt-1/port-7' });
  });

  it('refuses a MOVE that names another product', () => {
    const { asset } = installed();
    const move = item({ action: 'MOVE', productCode: 'FIBER-1000', attributes: { existingAssetId: assetId, siteAddress: newSite } });
    expect(() => applyAssetImpact(asset, move, context(orderB, '2026-08-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'ASSET.PRODUCT_MISMATCH' }));
  });
});

describe('DISCONNECT', () => {
  it('closes the active version without creating a new one', () => {
    const { asset } = installed();
    const disconnect = item({ action: 'DISCONNECT', attributes: { existingAssetId: assetId, expectedAssetVersion: 1 } });
    const { asset: after, change } = applyAssetImpact(asset, disconnect, context(orderB, '2026-12-31T00:00:00Z'));
    expect(change).toEqual({ kind: 'CLOSED', action: 'DISCONNECT', assetId, previousVersion: 1, affectedVersion: 1, alreadyApplied: false });
    expect(after.versions).toEqual([expect.objectContaining({ version: 1, status: 'CLOSED', validTo: '2026-12-31T00:00:00Z', closedByOrderItemId: disconnect.orderItemId })]);
    expect(activeVersion(after)).toBeUndefined();
  });

  it('is idempotent', () => {
    const { asset } = installed();
    const disconnect = item({ action: 'DISCONNECT', attributes: { existingAssetId: assetId } });
    const closed = applyAssetImpact(asset, disconnect, context(orderB, '2026-12-31T00:00:00Z')).asset;
    const again = applyAssetImpact(closed, disconnect, context(orderB, '2027-01-01T00:00:00Z'));
    expect(again.asset).toBe(closed);
    expect(again.change).toMatchObject({ kind: 'NONE', alreadyApplied: true });
  });

  it('refuses to change a closed asset through another item', () => {
    const { asset } = installed();
    const closed = applyAssetImpact(asset, item({ action: 'DISCONNECT', attributes: { existingAssetId: assetId } }), context(orderB, '2026-12-31T00:00:00Z')).asset;
    for (const action of ['MODIFY', 'MOVE', 'DISCONNECT'] as const) {
      const later = item({ action, attributes: { existingAssetId: assetId, siteAddress: newSite } });
      expect(() => applyAssetImpact(closed, later, context(orderA, '2027-02-01T00:00:00Z'))).toThrow(expect.objectContaining({ code: 'ASSET.NOT_ACTIVE' }));
    }
  });
});

describe('the impact must match the item', () => {
  it('maps each action to exactly one kind of change', () => {
    expect(changeKindOfAction).toEqual({ ADD: 'CREATED', MODIFY: 'VERSION_CREATED', MOVE: 'VERSION_CREATED', DISCONNECT: 'CLOSED' });
    expect(() => assertImpactMatchesAction('ADD', 'VERSION_CREATED')).toThrow(expect.objectContaining({ code: 'ASSET.ACTION_MISMATCH' }));
    expect(() => assertImpactMatchesAction('DISCONNECT', 'CREATED')).toThrow(AssetImpactError);
    expect(() => assertImpactMatchesAction('MOVE', 'NONE')).not.toThrow();
  });

  it('refuses an item that names another asset, another product type, or none', () => {
    const { asset } = installed();
    const at = context(orderB, '2026-08-01T00:00:00Z');
    expect(() => applyAssetImpact(asset, item({ action: 'MODIFY', attributes: { existingAssetId: parentAssetId } }), at)).toThrow(
      expect.objectContaining({ code: 'ASSET.MISMATCH' }),
    );
    expect(() => applyAssetImpact(asset, item({ action: 'MODIFY', productType: 'ADD_ON', attributes: { existingAssetId: assetId } }), at)).toThrow(
      expect.objectContaining({ code: 'ASSET.PRODUCT_MISMATCH' }),
    );
    expect(() => applyAssetImpact(asset, item({ action: 'MODIFY' }), at)).toThrow(expect.objectContaining({ code: 'ASSET.ID_MISSING' }));
  });

  it('does not find an asset that is missing or belongs to another tenant', () => {
    const { asset } = installed();
    const modify = item({ action: 'MODIFY', attributes: { existingAssetId: assetId } });
    expect(() => applyAssetImpact(null, modify, context(orderB, '2026-08-01T00:00:00Z'))).toThrow(NotFoundError);
    expect(() => applyAssetImpact(asset, modify, { ...context(orderB, '2026-08-01T00:00:00Z'), tenantId: 'tenant-b' })).toThrow(
      expect.objectContaining({ code: 'ASSET.NOT_FOUND' }),
    );
  });
});
