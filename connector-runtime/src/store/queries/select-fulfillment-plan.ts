/** Reads one `fulfillment_plan` row of a tenant, optionally locking it for an update. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** The columns of `fulfillment_plan` the store reads; bigint columns come as decimal strings. */
export interface FulfillmentPlanRow {
  tenant_id: string;
  id: string;
  order_id: string;
  order_version: string;
  catalog_version: string;
  completion_policy: string;
  status: string;
  version: string;
  completed_at: Date | null;
}

const columns = `tenant_id, id, order_id, order_version::text as order_version, catalog_version, completion_policy, status,
                 version::text as version, completed_at`;

const query = {
  name: 'select-fulfillment-plan',
  text: `select ${columns} from fulfillment_plan where tenant_id = $1 and id = $2`,
};

const forUpdateQuery = {
  name: 'select-fulfillment-plan-for-update',
  text: `select ${columns} from fulfillment_plan where tenant_id = $1 and id = $2 for update`,
};

/** The plan row, or `undefined` when the tenant has no such plan. */
export async function selectFulfillmentPlan(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string; forUpdate?: boolean },
): Promise<FulfillmentPlanRow | undefined> {
  const result = await runQuery<FulfillmentPlanRow>(db, params.forUpdate ? forUpdateQuery : query, [params.tenantId, params.fulfillmentPlanId]);
  return result.rows[0];
}
