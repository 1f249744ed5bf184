/** The latest fulfillment plan (highest order version) of a tenant's order, for the order API. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** A `fulfillment_plan` row; bigint columns come as decimal strings. */
export interface ApiPlanRow {
  id: string;
  order_id: string;
  order_version: string;
  catalog_version: string;
  completion_policy: string;
  status: string;
  version: string;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

const query = {
  name: 'api-select-latest-plan',
  text: `select id, order_id, order_version::text as order_version, catalog_version, completion_policy, status, version::text as version,
                created_at, updated_at, completed_at
           from fulfillment_plan
          where tenant_id = $1 and order_id = $2
          order by order_version desc
          limit 1`,
};

/** The order's latest plan, or `undefined` when it has none yet (or the order is another tenant's). */
export async function apiSelectLatestPlan(db: Queryable, params: { tenantId: string; orderId: string }): Promise<ApiPlanRow | undefined> {
  return (await runQuery<ApiPlanRow>(db, query, [params.tenantId, params.orderId])).rows[0];
}
