/** Inserts the `fulfillment_plan` row of a decomposed plan at version 0. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import type { FulfillmentPlan } from '../../domain/fulfillment-plan';

const query = {
  name: 'insert-fulfillment-plan',
  text: `insert into fulfillment_plan (tenant_id, id, order_id, order_version, catalog_version, completion_policy, status)
         values ($1, $2, $3, $4, $5, $6, $7)
         returning version::text as version`,
};

/** Inserts the plan row (not its tasks); returns its version as pg sends it (a decimal string). */
export async function insertFulfillmentPlan(db: Queryable, plan: FulfillmentPlan): Promise<string> {
  const result = await runQuery<{ version: string }>(db, query, [
    plan.tenantId,
    plan.fulfillmentPlanId,
    plan.orderId,
    plan.orderVersion,
    plan.catalogVersion,
    plan.completionPolicy,
    plan.status,
  ]);
  return result.rows[0]!.version;
}
