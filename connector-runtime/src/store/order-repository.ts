/**
 * Orders and their items in PostgreSQL (`customer_order`, `order_item`). An order is written with
 * all its items in one transaction; every read and write names the tenant, so another tenant's order
 * is simply not found.
 *
 * `orderVersion` is the order's business version (seed §5); `version` is the row's optimistic-lock
 * counter.
 */
import { ConcurrencyConflictError, NotFoundError } from '../errors';
import type { Order, OrderItem } from '../domain/order';
import { orderItemSchema } from '../domain/order';
import type { CompletionPolicy, OrderStatus } from '../domain/vocabulary';
import type { Queryable, Tx } from './database';
import { insertAuditLog } from './queries/insert-audit-log';
import { insertOrder as insertOrderRow } from './queries/insert-order';
import { insertOrderItem } from './queries/insert-order-item';
import { selectOrder } from './queries/select-order';
import { selectOrderItems } from './queries/select-order-items';
import { updateOrderStatus as updateOrderStatusRow } from './queries/update-order-status';
import { versionFromColumn } from './rows';

/** Audit and event name of the order aggregate. */
export const orderAggregateType = 'Order';

/** An order as stored: its items, canonical status and optimistic version. */
export interface StoredOrder {
  tenantId: string;
  orderId: string;
  externalRef: string | null;
  status: OrderStatus;
  completionPolicy: CompletionPolicy;
  orderVersion: number;
  version: number;
  items: OrderItem[];
}

/** Items ordered so that each parent comes before its children (the parent foreign key needs it). */
function parentsFirst(items: readonly OrderItem[]): OrderItem[] {
  const placed = new Set<string>();
  const result: OrderItem[] = [];
  let remaining = [...items];
  while (remaining.length > 0) {
    const ready = remaining.filter((item) => item.parentItemId === undefined || placed.has(item.parentItemId) || !items.some((other) => other.orderItemId === item.parentItemId));
    // A parent loop cannot be placed; insert it as it is and let the database reject it.
    const batch = ready.length > 0 ? ready : remaining;
    for (const item of batch) {
      placed.add(item.orderItemId);
      result.push(item);
    }
    remaining = remaining.filter((item) => !placed.has(item.orderItemId));
  }
  return result;
}

/**
 * Inserts a validated order and all its items in `tx`, at version 0. Items keep the order's item
 * order as line numbers; each starts in the order's status.
 */
export async function insertOrder(
  tx: Tx,
  order: Order,
  options: { status?: OrderStatus; externalRef?: string; quoteId?: string; customer?: Record<string, unknown> } = {},
): Promise<StoredOrder> {
  const status = options.status ?? 'VALIDATED';
  const version = await insertOrderRow(tx, {
    tenantId: order.tenantId,
    orderId: order.orderId,
    externalRef: options.externalRef ?? null,
    status,
    completionPolicy: order.completionPolicy,
    orderVersion: order.orderVersion,
    quoteId: options.quoteId ?? null,
    customer: options.customer ?? null,
  });
  const lineOf = new Map(order.items.map((item, index) => [item.orderItemId, index + 1]));
  for (const item of parentsFirst(order.items)) {
    await insertOrderItem(tx, { tenantId: order.tenantId, orderId: order.orderId, lineNo: lineOf.get(item.orderItemId)!, status, item });
  }
  return {
    tenantId: order.tenantId,
    orderId: order.orderId,
    externalRef: options.externalRef ?? null,
    status,
    completionPolicy: order.completionPolicy,
    orderVersion: order.orderVersion,
    version: versionFromColumn(version),
    items: order.items,
  };
}

/** Loads the tenant's order with its items; `NotFoundError` (`ORDER.NOT_FOUND`) for any other. */
export async function loadOrder(db: Queryable, params: { tenantId: string; orderId: string }): Promise<StoredOrder> {
  const row = await selectOrder(db, params);
  if (!row) throw new NotFoundError('order', params.orderId);
  const items = await selectOrderItems(db, params);
  return {
    tenantId: row.tenant_id,
    orderId: row.id,
    externalRef: row.external_ref,
    status: row.status as OrderStatus,
    completionPolicy: row.completion_policy as CompletionPolicy,
    orderVersion: versionFromColumn(row.order_version),
    version: versionFromColumn(row.version),
    // Parsed rather than cast: the row is outside data until the order schema accepts it.
    items: items.map((item) =>
      orderItemSchema.parse({
        orderItemId: item.id,
        ...(item.parent_item_id === null ? {} : { parentItemId: item.parent_item_id }),
        action: item.action,
        productType: item.product_type,
        productCode: item.product_code,
        quantity: item.quantity,
        attributes: item.attributes,
      }),
    ),
  };
}

/** What an order status change needs: who, why, and the version the caller decided on. */
export interface OrderStatusChange {
  tenantId: string;
  orderId: string;
  expectedVersion: number;
  to: OrderStatus;
  actor: string;
  correlationId: string;
  reason?: string;
  /** When the change happened (ISO-8601); default now. */
  at?: string;
}

/**
 * Sets the order's status when its version is still `expectedVersion`, with an audit row in the
 * same transaction, and returns the new version. A stale version is a `ConcurrencyConflictError`
 * (`ORDER.VERSION_CONFLICT`) and writes nothing; an unknown order (or another tenant's) is a
 * `NotFoundError`. Which status may follow which is the caller's domain rule, not the store's.
 */
export async function updateOrderStatus(tx: Tx, change: OrderStatusChange): Promise<number> {
  const row = await selectOrder(tx, { tenantId: change.tenantId, orderId: change.orderId, forUpdate: true });
  if (!row) throw new NotFoundError('order', change.orderId);
  if (versionFromColumn(row.version) !== change.expectedVersion) {
    throw new ConcurrencyConflictError('order', change.orderId, change.expectedVersion);
  }
  const version = await updateOrderStatusRow(tx, {
    tenantId: change.tenantId,
    orderId: change.orderId,
    status: change.to,
    expectedVersion: change.expectedVersion,
  });
  if (version === undefined) throw new ConcurrencyConflictError('order', change.orderId, change.expectedVersion);
  await insertAuditLog(tx, {
    tenantId: change.tenantId,
    orderId: change.orderId,
    entityType: orderAggregateType,
    entityId: change.orderId,
    action: 'STATUS_CHANGED',
    stateBefore: row.status,
    stateAfter: change.to,
    details: change.reason === undefined ? {} : { reason: change.reason },
    actor: change.actor,
    correlationId: change.correlationId,
    at: change.at ?? new Date().toISOString(),
  });
  return versionFromColumn(version);
}
