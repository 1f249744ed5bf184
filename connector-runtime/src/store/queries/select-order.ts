/** Reads one `customer_order` row of a tenant, optionally locking it for an update. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** The columns of `customer_order` the store reads; `version` is a decimal string from pg. */
export interface OrderRow {
  tenant_id: string;
  id: string;
  external_ref: string | null;
  status: string;
  completion_policy: string;
  order_version: string;
  version: string;
  created_at: Date;
  updated_at: Date;
}

const columns = 'tenant_id, id, external_ref, status, completion_policy, order_version::text as order_version, version::text as version, created_at, updated_at';

const query = {
  name: 'select-order',
  text: `select ${columns} from customer_order where tenant_id = $1 and id = $2`,
};

const forUpdateQuery = {
  name: 'select-order-for-update',
  text: `select ${columns} from customer_order where tenant_id = $1 and id = $2 for update`,
};

/** The order row, or `undefined` when the tenant has no such order. */
export async function selectOrder(
  db: Queryable,
  params: { tenantId: string; orderId: string; forUpdate?: boolean },
): Promise<OrderRow | undefined> {
  const result = await runQuery<OrderRow>(db, params.forUpdate ? forUpdateQuery : query, [params.tenantId, params.orderId]);
  return result.rows[0];
}
