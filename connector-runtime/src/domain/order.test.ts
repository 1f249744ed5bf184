import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import bundleOrder from './fixtures/broadband-bundle.order.json' with { type: 'json' };
import { assertOrderRules, orderItemRelations, orderRuleViolations, parseOrder, productCharacteristics } from './order';
import type { Order } from './order';

const ids = {
  order: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9001',
  bundle: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0001',
  fiber: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0002',
  router: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0003',
  staticIp: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0004',
  asset: '7a1d1c2a-7f3d-4c1e-9a6b-2d8f4e0caa01',
  otherAsset: '7a1d1c2a-7f3d-4c1e-9a6b-2d8f4e0caa02',
};
const site = { line1: 'Jl. Sudirman 12', city: 'Jakarta', postalCode: '10220', countryCode: 'ID' };

/** The bundle fixture with its items replaced or changed. */
function orderWith(change: (items: Record<string, unknown>[]) => Record<string, unknown>[]): unknown {
  return { ...bundleOrder, items: change(structuredClone(bundleOrder.items) as Record<string, unknown>[]) };
}

function codes(input: unknown): string[] {
  try {
    parseOrder(input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => (issue as { code?: string }).code ?? `shape:${issue.path}`);
  }
}

function single(item: Record<string, unknown>): unknown {
  return { ...bundleOrder, items: [{ orderItemId: ids.fiber, quantity: 1, ...item }] };
}

describe('order parsing', () => {
  it('accepts the broadband bundle and fills defaults', () => {
    const order = parseOrder(bundleOrder);
    expect(order.items).toHaveLength(4);
    expect(order.items[3]).toMatchObject({ productType: 'ADD_ON', quantity: 1, attributes: {} });
  });

  it('reports shape errors with their paths', () => {
    const error = (() => {
      try {
        parseOrder({ ...bundleOrder, orderId: 'ord-9001', completionPolicy: 'WHENEVER' });
      } catch (caught) {
        return caught as ValidationError;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(error.code).toBe('INPUT.INVALID');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['completionPolicy', 'orderId']);
  });

  it('keeps product characteristics and drops control attributes from them', () => {
    expect(productCharacteristics({ existingAssetId: ids.asset, expectedAssetVersion: 2, downloadMbps: 500, siteAddress: site })).toEqual({
      downloadMbps: 500,
      siteAddress: site,
    });
  });
});

describe('order rules', () => {
  it.each([
    [
      'an add-on without parent service or asset',
      single({ action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP' }),
      ['ORDER.ADD_ON_WITHOUT_PARENT'],
    ],
    [
      'an add-on with both a parent item and a parent asset',
      orderWith((items) => {
        (items[3]!.attributes as Record<string, unknown>) = { parentAssetId: ids.asset };
        return items;
      }),
      ['ORDER.ADD_ON_PARENT_AMBIGUOUS'],
    ],
    [
      'an add-on hanging under a device',
      orderWith((items) => {
        items[3]!.parentItemId = ids.router;
        return items;
      }),
      ['ORDER.PARENT_NOT_ALLOWED', 'ORDER.ADD_ON_WITHOUT_PARENT'],
    ],
    [
      'an add-on added to a service the order disconnects',
      {
        ...bundleOrder,
        items: [
          { orderItemId: ids.fiber, action: 'DISCONNECT', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset } },
          { orderItemId: ids.staticIp, parentItemId: ids.fiber, action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP' },
        ],
      },
      ['ORDER.CHILD_ACTION_MISMATCH'],
    ],
    ['MODIFY without an existing asset', single({ action: 'MODIFY', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500' }), ['ORDER.EXISTING_ASSET_REQUIRED']],
    ['DISCONNECT without an existing asset', single({ action: 'DISCONNECT', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500' }), ['ORDER.EXISTING_ASSET_REQUIRED']],
    [
      'MOVE without an existing asset or a new location',
      single({ action: 'MOVE', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500' }),
      ['ORDER.EXISTING_ASSET_REQUIRED', 'ORDER.MOVE_TARGET_REQUIRED'],
    ],
    [
      'MOVE of a digital subscription',
      single({ action: 'MOVE', productType: 'DIGITAL_SUBSCRIPTION', productCode: 'STREAMING-PLUS', attributes: { existingAssetId: ids.asset, siteAddress: site } }),
      ['ORDER.MOVE_NOT_APPLICABLE'],
    ],
    [
      'ADD naming an existing asset',
      single({ action: 'ADD', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { siteAddress: site, existingAssetId: ids.asset } }),
      ['ORDER.EXISTING_ASSET_NOT_ALLOWED'],
    ],
    ['adding a network service without a site', single({ action: 'ADD', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500' }), ['ORDER.SITE_ADDRESS_REQUIRED']],
    [
      'a bundle child that references a missing bundle',
      orderWith((items) => {
        items[1]!.parentItemId = '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c0fff';
        return items;
      }),
      ['ORDER.UNKNOWN_PARENT_ITEM'],
    ],
    [
      'a device whose parent is a service, not a bundle',
      orderWith((items) => {
        items[2]!.parentItemId = ids.fiber;
        return items;
      }),
      ['ORDER.PARENT_NOT_ALLOWED'],
    ],
    [
      'a bundle being added with a child being modified',
      orderWith((items) => {
        items[2] = { ...items[2]!, action: 'MODIFY', attributes: { existingAssetId: ids.asset } };
        return items;
      }),
      ['ORDER.CHILD_ACTION_MISMATCH'],
    ],
    [
      'a bundle added without children',
      orderWith((items) => [items[0]!]),
      ['ORDER.BUNDLE_WITHOUT_CHILDREN'],
    ],
    [
      'duplicate order item ids',
      orderWith((items) => {
        items[2]!.orderItemId = ids.fiber;
        return items;
      }),
      ['ORDER.DUPLICATE_ITEM_ID'],
    ],
    [
      'two items acting on one asset',
      {
        ...bundleOrder,
        items: [
          { orderItemId: ids.fiber, action: 'MODIFY', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset } },
          { orderItemId: ids.router, action: 'DISCONNECT', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset } },
        ],
      },
      ['ORDER.DUPLICATE_ASSET_ACTION'],
    ],
    [
      'a quantity above one for an existing asset',
      single({ action: 'DISCONNECT', productType: 'PHYSICAL_DEVICE', productCode: 'ROUTER-WIFI6', quantity: 2, attributes: { existingAssetId: ids.asset } }),
      ['ORDER.QUANTITY_NOT_ONE'],
    ],
    [
      'a parent chain that loops',
      {
        ...bundleOrder,
        items: [
          { orderItemId: ids.bundle, parentItemId: ids.router, action: 'MODIFY', productType: 'BUNDLE', productCode: 'BB-HOME-BUNDLE', attributes: { existingAssetId: ids.asset } },
          { orderItemId: ids.router, parentItemId: ids.bundle, action: 'MODIFY', productType: 'BUNDLE', productCode: 'BB-HOME-BUNDLE', attributes: { existingAssetId: ids.otherAsset } },
        ],
      },
      ['ORDER.PARENT_CYCLE', 'ORDER.PARENT_CYCLE'],
    ],
  ])('rejects %s', (_label, input, expected) => {
    expect(codes(input)).toEqual(expected);
  });

  it.each([
    ['an add-on on an existing service asset', single({ action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP', attributes: { parentAssetId: ids.asset } })],
    ['a MOVE to a new site', single({ action: 'MOVE', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset, siteAddress: site } })],
    ['a MOVE to a new resource only', single({ action: 'MOVE', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset, resourceId: 'olt-7/port-3' } })],
    [
      'a MODIFY with an expected version',
      single({ action: 'MODIFY', productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { existingAssetId: ids.asset, expectedAssetVersion: 3 } }),
    ],
    ['several routers in one ADD item', single({ action: 'ADD', productType: 'PHYSICAL_DEVICE', productCode: 'ROUTER-WIFI6', quantity: 3, attributes: { siteAddress: site } })],
  ])('accepts %s', (_label, input) => {
    expect(codes(input)).toEqual([]);
  });

  it('re-checks an order built in code', () => {
    const order = parseOrder(bundleOrder);
    const broken: Order = { ...order, items: order.items.map((item) => (item.productType === 'ADD_ON' ? { ...item, parentItemId: undefined } : item)) };
    expect(orderRuleViolations(broken).map((violation) => violation.code)).toEqual(['ORDER.ADD_ON_WITHOUT_PARENT']);
    expect(() => assertOrderRules(broken)).toThrow(ValidationError);
    expect(() => assertOrderRules(order)).not.toThrow();
  });
});

describe('item relations', () => {
  it('knows parents, children and siblings of the bundle', () => {
    const relations = orderItemRelations(parseOrder(bundleOrder));
    expect(relations.parentOf(ids.staticIp)?.orderItemId).toBe(ids.fiber);
    expect(relations.parentOf(ids.bundle)).toBeUndefined();
    expect(relations.childrenOf(ids.bundle).map((item) => item.orderItemId)).toEqual([ids.fiber, ids.router]);
    expect(relations.siblingsOf(ids.router).map((item) => item.orderItemId)).toEqual([ids.fiber]);
    expect(relations.siblingsOf(ids.bundle)).toEqual([]);
  });
});
