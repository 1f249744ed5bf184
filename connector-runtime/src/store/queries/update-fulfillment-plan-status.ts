/** Sets a plan's status if its version is still the expected one, and bumps the version. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import type { FulfillmentPlanStatus } from '../../domain/vocabulary';

const query = {
  name: 'update-fulfillment-plan-status',
  text: `update fulfillment_plan
            set status = $3, completed_at = $5, version = version + 1, updated_at = now()
          where tenant_id = $1 and id = $2 and version = $4
          returning version::text as version`,
};

/** The new version (decimal string), or `undefined` when no row had the expected version. */
export async function updateFulfillmentPlanStatus(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string; status: FulfillmentPlanStatus; expectedVersion: number; completedAt: string | null },
): Promise<string | undefined> {
  const result = await runQuery<{ version: string }>(db, query, [
    params.tenantId,
    params.fulfillmentPlanId,
    params.status,
    params.expectedVersion,
    params.completedAt,
  ]);
  return result.rows[0]?.version;
}
