/**
 * Orders and order items as fulfillment receives them (seed §1: a validated order is decomposed into
 * a fulfillment plan), with the structural rules an order must meet before it is decomposed.
 *
 * `parentItemId` builds the item tree: a bundle's children point at the bundle, and an add-on points
 * at the service it extends (which may itself sit in a bundle). An add-on added to a service the
 * customer already has points at that service's asset instead (`attributes.parentAssetId`).
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { completionPolicies, orderItemActions, productTypes } from './vocabulary';
import type { OrderItemAction, ProductType } from './vocabulary';

/** Postal address of the site where a service is delivered or a device is installed. */
export const siteAddressSchema = z.strictObject({
  line1: z.string().min(1).max(200),
  line2: z.string().min(1).max(200).optional(),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code'),
});
/** See {@link siteAddressSchema}. */
export type SiteAddress = z.infer<typeof siteAddressSchema>;

/** Attribute names that steer fulfillment and asset impact, as opposed to product characteristics. */
export const controlAttributeNames = ['existingAssetId', 'expectedAssetVersion', 'parentAssetId'] as const;

/**
 * Attributes of an order item. The named ones are read by fulfillment; any other JSON member is a
 * product characteristic (e.g. `downloadMbps`) that is carried into task inputs and asset versions.
 * For MOVE, `siteAddress` and `resourceId` are the new location and network resource.
 */
export const orderItemAttributesSchema = z
  .object({
    siteAddress: siteAddressSchema.optional(),
    resourceId: z.string().min(1).max(128).optional(),
    existingAssetId: z.uuid().optional(),
    expectedAssetVersion: z.number().int().min(1).optional(),
    parentAssetId: z.uuid().optional(),
  })
  .catchall(z.json());
/** See {@link orderItemAttributesSchema}. */
export type OrderItemAttributes = z.infer<typeof orderItemAttributesSchema>;

/** One line of an order: an action on one product (seed §18). */
export const orderItemSchema = z.strictObject({
  orderItemId: z.uuid(),
  parentItemId: z.uuid().optional(),
  action: z.enum(orderItemActions),
  productType: z.enum(productTypes),
  productCode: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/, 'upper-case product code'),
  quantity: z.number().int().min(1).max(10_000).default(1),
  attributes: orderItemAttributesSchema.default({}),
});
/** See {@link orderItemSchema}. */
export type OrderItem = z.output<typeof orderItemSchema>;

/** Shape of an order before its cross-item rules are checked. */
export const orderShapeSchema = z.strictObject({
  tenantId: z.string().min(1).max(64),
  orderId: z.uuid(),
  orderVersion: z.number().int().min(0),
  completionPolicy: z.enum(completionPolicies),
  items: z.array(orderItemSchema).min(1).max(500),
});
/** A validated order. */
export type Order = z.output<typeof orderShapeSchema>;

/** One broken order rule, with a stable code and the path of the offending member. */
export interface OrderRuleViolation {
  code: string;
  path: string;
  message: string;
}

const existingAssetActions: readonly OrderItemAction[] = ['MODIFY', 'DISCONNECT', 'MOVE'];
const serviceTypes: readonly ProductType[] = ['NETWORK_SERVICE', 'DIGITAL_SUBSCRIPTION'];
const siteBoundTypes: readonly ProductType[] = ['NETWORK_SERVICE', 'PHYSICAL_DEVICE'];

/**
 * The cross-item rules of an order, as a list of violations (empty when the order is valid).
 * Exported on its own so decomposition can re-check an order built in code rather than parsed.
 */
export function orderRuleViolations(order: Order): OrderRuleViolation[] {
  const violations: OrderRuleViolation[] = [];
  const add = (index: number, code: string, message: string, member = ''): void => {
    violations.push({ code, path: `items.${index}${member ? `.${member}` : ''}`, message });
  };
  const byId = new Map<string, OrderItem>();
  order.items.forEach((item, index) => {
    if (byId.has(item.orderItemId)) add(index, 'ORDER.DUPLICATE_ITEM_ID', `orderItemId ${item.orderItemId} appears twice`, 'orderItemId');
    else byId.set(item.orderItemId, item);
  });
  const childCount = new Map<string, number>();
  for (const item of order.items) {
    if (item.parentItemId) childCount.set(item.parentItemId, (childCount.get(item.parentItemId) ?? 0) + 1);
  }
  const assetUse = new Map<string, number>();

  order.items.forEach((item, index) => {
    const { attributes } = item;
    const parent = item.parentItemId === undefined ? undefined : byId.get(item.parentItemId);

    if (item.parentItemId !== undefined) {
      if (item.parentItemId === item.orderItemId) {
        add(index, 'ORDER.PARENT_CYCLE', 'an item cannot be its own parent', 'parentItemId');
      } else if (!parent) {
        add(index, 'ORDER.UNKNOWN_PARENT_ITEM', `parentItemId ${item.parentItemId} is not an item of this order`, 'parentItemId');
      } else if (parent.productType !== 'BUNDLE' && !(item.productType === 'ADD_ON' && serviceTypes.includes(parent.productType))) {
        add(
          index,
          'ORDER.PARENT_NOT_ALLOWED',
          item.productType === 'ADD_ON'
            ? `an add-on's parent item must be a bundle or a service (${serviceTypes.join(', ')}), not ${parent.productType}`
            : `only a bundle can be the parent of a ${item.productType}, not ${parent.productType}`,
          'parentItemId',
        );
      } else if (parent.productType === 'BUNDLE' && (parent.action === 'ADD' || parent.action === 'DISCONNECT') && item.action !== parent.action) {
        // A bundle is added or removed as a whole; a child doing something else splits the bundle in two.
        add(index, 'ORDER.CHILD_ACTION_MISMATCH', `a child of a bundle being ${parent.action}ed must be ${parent.action} too, not ${item.action}`, 'action');
      } else if (item.productType === 'ADD_ON' && item.action === 'ADD' && parent.productType !== 'BUNDLE' && parent.action === 'DISCONNECT') {
        add(index, 'ORDER.CHILD_ACTION_MISMATCH', 'an add-on cannot be added to a service that the same order disconnects', 'action');
      }
    }

    if (item.productType === 'ADD_ON' && item.action === 'ADD') {
      const serviceParent = parent !== undefined && serviceTypes.includes(parent.productType);
      if (!serviceParent && attributes.parentAssetId === undefined) {
        add(
          index,
          'ORDER.ADD_ON_WITHOUT_PARENT',
          'an add-on needs its parent service: an item of this order (parentItemId) or an existing asset (attributes.parentAssetId)',
        );
      } else if (serviceParent && attributes.parentAssetId !== undefined) {
        add(index, 'ORDER.ADD_ON_PARENT_AMBIGUOUS', 'an add-on names either a parent service item or a parent asset, not both', 'attributes.parentAssetId');
      }
    } else if (attributes.parentAssetId !== undefined) {
      add(index, 'ORDER.PARENT_ASSET_NOT_ALLOWED', 'attributes.parentAssetId is only for adding an add-on to an existing service', 'attributes.parentAssetId');
    }

    if (existingAssetActions.includes(item.action)) {
      if (attributes.existingAssetId === undefined) {
        add(index, 'ORDER.EXISTING_ASSET_REQUIRED', `${item.action} acts on an installed asset: attributes.existingAssetId is required`, 'attributes.existingAssetId');
      } else {
        assetUse.set(attributes.existingAssetId, (assetUse.get(attributes.existingAssetId) ?? 0) + 1);
        if (assetUse.get(attributes.existingAssetId) === 2) {
          add(index, 'ORDER.DUPLICATE_ASSET_ACTION', `two items act on asset ${attributes.existingAssetId}; their impacts would conflict`, 'attributes.existingAssetId');
        }
      }
      if (item.quantity !== 1) add(index, 'ORDER.QUANTITY_NOT_ONE', `${item.action} acts on one asset: quantity must be 1`, 'quantity');
    } else {
      if (attributes.existingAssetId !== undefined || attributes.expectedAssetVersion !== undefined) {
        add(index, 'ORDER.EXISTING_ASSET_NOT_ALLOWED', 'ADD creates a new asset: existingAssetId and expectedAssetVersion do not apply', 'attributes');
      }
      if (siteBoundTypes.includes(item.productType) && attributes.siteAddress === undefined) {
        add(index, 'ORDER.SITE_ADDRESS_REQUIRED', `adding a ${item.productType} needs attributes.siteAddress`, 'attributes.siteAddress');
      }
    }

    if (item.action === 'MOVE') {
      if (attributes.siteAddress === undefined && attributes.resourceId === undefined) {
        add(index, 'ORDER.MOVE_TARGET_REQUIRED', 'MOVE needs the new location: attributes.siteAddress and/or attributes.resourceId', 'attributes');
      }
      if (item.productType === 'DIGITAL_SUBSCRIPTION') {
        add(index, 'ORDER.MOVE_NOT_APPLICABLE', 'a digital subscription has no location to move', 'action');
      }
    }

    if ((item.productType === 'BUNDLE' || item.productType === 'NETWORK_SERVICE') && item.quantity !== 1) {
      add(index, 'ORDER.QUANTITY_NOT_ONE', `a ${item.productType} item is one instance: quantity must be 1`, 'quantity');
    }
    if (item.productType === 'BUNDLE' && (item.action === 'ADD' || item.action === 'DISCONNECT') && !childCount.get(item.orderItemId)) {
      add(index, 'ORDER.BUNDLE_WITHOUT_CHILDREN', `a bundle ${item.action} lists the items it contains (their parentItemId is the bundle)`);
    }
  });

  // A parent chain that loops never reaches a root; report each looping item once.
  order.items.forEach((item, index) => {
    const seen = new Set<string>([item.orderItemId]);
    let current = item.parentItemId === undefined ? undefined : byId.get(item.parentItemId);
    while (current) {
      if (seen.has(current.orderItemId)) {
        if (current.orderItemId === item.orderItemId && item.parentItemId !== item.orderItemId) {
          add(index, 'ORDER.PARENT_CYCLE', `parentItemId chain of ${item.orderItemId} loops back to itself`, 'parentItemId');
        }
        break;
      }
      seen.add(current.orderItemId);
      current = current.parentItemId === undefined ? undefined : byId.get(current.parentItemId);
    }
  });
  return violations;
}

/** The order schema with every rule of {@link orderRuleViolations} applied. */
export const orderSchema = orderShapeSchema.superRefine((order, context) => {
  for (const violation of orderRuleViolations(order)) {
    context.addIssue({ code: 'custom', path: violation.path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message: violation.message, params: { rule: violation.code } });
  }
});

/**
 * Parses untrusted input into an {@link Order}; throws `ValidationError` (`INPUT.INVALID`) listing
 * every problem, each with its path and, for cross-item rules, its rule code.
 */
export function parseOrder(input: unknown): Order {
  const result = orderSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    'order is invalid',
    result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
      ...(issue.code === 'custom' && typeof issue.params?.rule === 'string' ? { code: issue.params.rule } : {}),
    })),
  );
}

/** Throws `ValidationError` when an order built in code breaks a cross-item rule. */
export function assertOrderRules(order: Order): void {
  const violations = orderRuleViolations(order);
  if (violations.length > 0) {
    throw new ValidationError(`order ${order.orderId} is invalid: ${violations.map((v) => v.message).join('; ')}`, violations);
  }
}

/** Parent, children and siblings of each item, for rules that depend across items. */
export interface OrderItemRelations {
  parentOf(orderItemId: string): OrderItem | undefined;
  childrenOf(orderItemId: string): OrderItem[];
  /** Items with the same parent item, the item itself excluded; none for an item without a parent. */
  siblingsOf(orderItemId: string): OrderItem[];
}

/** Indexes the item tree of an order. */
export function orderItemRelations(order: Order): OrderItemRelations {
  const byId = new Map(order.items.map((item) => [item.orderItemId, item]));
  const children = new Map<string, OrderItem[]>();
  for (const item of order.items) {
    if (item.parentItemId === undefined) continue;
    children.set(item.parentItemId, [...(children.get(item.parentItemId) ?? []), item]);
  }
  return {
    parentOf: (id) => {
      const parentId = byId.get(id)?.parentItemId;
      return parentId === undefined ? undefined : byId.get(parentId);
    },
    childrenOf: (id) => children.get(id) ?? [],
    siblingsOf: (id) => {
      const parentId = byId.get(id)?.parentItemId;
      return parentId === undefined ? [] : (children.get(parentId) ?? []).filter((item) => item.orderItemId !== id);
    },
  };
}

/** Attributes of an item without the control members: the product characteristics and location. */
export function productCharacteristics(attributes: OrderItemAttributes): Record<string, z.core.util.JSONType> {
  const result: Record<string, z.core.util.JSONType> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || (controlAttributeNames as readonly string[]).includes(key)) continue;
    result[key] = value as z.core.util.JSONType;
  }
  return result;
}
