/** Inserts one `order_item` row. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';
import type { OrderItem } from '../../domain/order';
import type { OrderStatus } from '../../domain/vocabulary';

/** Values of one order item row; `lineNo` keeps the order's item order (1-based). */
export interface InsertOrderItemParams {
  tenantId: string;
  orderId: string;
  lineNo: number;
  status: OrderStatus;
  item: OrderItem;
}

const query = {
  name: 'insert-order-item',
  text: `insert into order_item
           (tenant_id, id, order_id, line_no, parent_item_id, action, product_type, product_code, quantity, attributes, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)`,
};

/** Inserts the item; its parent, when it has one, must be inserted first (foreign key). */
export async function insertOrderItem(db: Queryable, params: InsertOrderItemParams): Promise<void> {
  const { item } = params;
  await runQuery(db, query, [
    params.tenantId,
    item.orderItemId,
    params.orderId,
    params.lineNo,
    item.parentItemId ?? null,
    item.action,
    item.productType,
    item.productCode,
    item.quantity,
    jsonParameter(item.attributes),
    params.status,
  ]);
}
