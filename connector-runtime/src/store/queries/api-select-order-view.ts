/**
 * The order view of the order API (`GET /api/v1/orders/{orderId}`): the order row with its latest
 * plan (highest order version) and that plan's workflow ref, in one statement so the three agree.
 */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** One order with its latest plan and workflow ref; bigint columns come as decimal strings. */
export interface ApiOrderViewRow {
  id: string;
  external_ref: string | null;
  quote_id: string | null;
  customer: Record<string, unknown> | null;
  status: string;
  completion_policy: string;
  order_version: string;
  version: string;
  cancel_requested_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  fulfillment_plan_id: string | null;
  fulfillment_plan_status: string | null;
  process_instance_key: string | null;
  workflow_status: string | null;
}

const query = {
  name: 'api-select-order-view',
  text: `select o.id, o.external_ref, o.quote_id, o.customer, o.status, o.completion_policy, o.order_version::text as order_version, o.version::text as version,
                o.cancel_requested_at, o.cancel_reason, o.created_at, o.updated_at,
                p.id as fulfillment_plan_id, p.status as fulfillment_plan_status,
                w.process_instance_key, w.status as workflow_status
           from customer_order o
           left join lateral (
                  select id, status from fulfillment_plan
                   where tenant_id = o.tenant_id and order_id = o.id
                   order by order_version desc limit 1) p on true
           left join order_workflow_ref w
                  on w.tenant_id = o.tenant_id and w.order_id = o.id and w.fulfillment_plan_id = p.id
          where o.tenant_id = $1 and o.id = $2`,
};

/** The tenant's order with its latest plan, or `undefined` when the tenant has no such order. */
export async function apiSelectOrderView(db: Queryable, params: { tenantId: string; orderId: string }): Promise<ApiOrderViewRow | undefined> {
  return (await runQuery<ApiOrderViewRow>(db, query, [params.tenantId, params.orderId])).rows[0];
}
