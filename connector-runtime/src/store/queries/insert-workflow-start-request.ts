/** Inserts a workflow start request unless the plan already has one. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

// The business key is unique per tenant: a repeated request for the same plan is the same start.
const query = {
  name: 'insert-workflow-start-request',
  text: `with inserted as (
           insert into workflow_start_request
             (tenant_id, id, order_id, fulfillment_plan_id, business_key, process_id, variables, status)
           values ($1::varchar, $2::uuid, $3::uuid, $4::uuid, $1::text || ':' || $3::text || ':' || $4::text, $5, $6::jsonb, 'PENDING')
           on conflict (tenant_id, business_key) do nothing
           returning id::text as id
         )
         select id from inserted
         union all
         select id::text from workflow_start_request
          where tenant_id = $1::varchar and business_key = $1::text || ':' || $3::text || ':' || $4::text
            and not exists (select 1 from inserted)`,
};

/** Returns the id of the plan's start request: the new one, or the one already there. */
export async function insertWorkflowStartRequest(
  db: Queryable,
  params: { tenantId: string; id: string; orderId: string; fulfillmentPlanId: string; processId: string; variables: Record<string, unknown> },
): Promise<string> {
  const result = await runQuery<{ id: string }>(db, query, [
    params.tenantId,
    params.id,
    params.orderId,
    params.fulfillmentPlanId,
    params.processId,
    jsonParameter(params.variables),
  ]);
  return result.rows[0]!.id;
}
