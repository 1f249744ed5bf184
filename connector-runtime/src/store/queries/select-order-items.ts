/** Reads the items of one order of a tenant, in line order. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** The columns of `order_item` the store reads. */
export interface OrderItemRow {
  id: string;
  line_no: number;
  parent_item_id: string | null;
  action: string;
  product_type: string;
  product_code: string;
  quantity: number;
  attributes: unknown;
  status: string;
  version: string;
}

const query = {
  name: 'select-order-items',
  text: `select id, line_no, parent_item_id, action, product_type, product_code, quantity, attributes, status,
                version::text as version
           from order_item
          where tenant_id = $1 and order_id = $2
          order by line_no`,
};

/** Items of the order, first line first. */
export async function selectOrderItems(db: Queryable, params: { tenantId: string; orderId: string }): Promise<OrderItemRow[]> {
  const result = await runQuery<OrderItemRow>(db, query, [params.tenantId, params.orderId]);
  return result.rows;
}
