/** Sets an order's status if its version is still the expected one, and bumps the version. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import type { OrderStatus } from '../../domain/vocabulary';

const query = {
  name: 'update-order-status',
  text: `update customer_order
            set status = $3, version = version + 1, updated_at = now()
          where tenant_id = $1 and id = $2 and version = $4
          returning version::text as version`,
};

/** The new version (decimal string), or `undefined` when no row had the expected version. */
export async function updateOrderStatus(
  db: Queryable,
  params: { tenantId: string; orderId: string; status: OrderStatus; expectedVersion: number },
): Promise<string | undefined> {
  const result = await runQuery<{ version: string }>(db, query, [params.tenantId, params.orderId, params.status, params.expectedVersion]);
  return result.rows[0]?.version;
}
