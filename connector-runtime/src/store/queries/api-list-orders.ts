/**
 * One page of a tenant's orders for the order API, newest first, by keyset on (created_at, id).
 * The cursor's time travels as text with microseconds (`cursor_at`): a JavaScript Date keeps
 * milliseconds only, and a truncated key would repeat or skip orders created in the same millisecond.
 */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** An order summary row with its latest plan; bigint columns come as decimal strings. */
export interface ApiOrderSummaryRow {
  id: string;
  external_ref: string | null;
  status: string;
  completion_policy: string;
  order_version: string;
  version: string;
  item_count: number;
  created_at: Date;
  updated_at: Date;
  fulfillment_plan_id: string | null;
  fulfillment_plan_status: string | null;
  /** `created_at` in UTC with microseconds, the time half of the page cursor. */
  cursor_at: string;
}

// A null status list or cursor matches every row.
const query = {
  name: 'api-list-orders',
  text: `select o.id, o.external_ref, o.status, o.completion_policy, o.order_version::text as order_version, o.version::text as version,
                (select count(*)::int from order_item i where i.tenant_id = o.tenant_id and i.order_id = o.id) as item_count,
                o.created_at, o.updated_at, p.id as fulfillment_plan_id, p.status as fulfillment_plan_status,
                to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
           from customer_order o
           left join lateral (
                  select id, status from fulfillment_plan
                   where tenant_id = o.tenant_id and order_id = o.id
                   order by order_version desc limit 1) p on true
          where o.tenant_id = $1
            and ($2::text[] is null or o.status = any($2::text[]))
            and ($3::timestamptz is null or (o.created_at, o.id) < ($3::timestamptz, $4::uuid))
          order by o.created_at desc, o.id desc
          limit $5`,
};

/** At most `limit` orders of the tenant older than the cursor (all when `after` is absent), newest first. */
export async function apiListOrders(
  db: Queryable,
  params: { tenantId: string; statuses: readonly string[] | undefined; after: { at: string; id: string } | undefined; limit: number },
): Promise<ApiOrderSummaryRow[]> {
  const values = [params.tenantId, params.statuses ?? null, params.after?.at ?? null, params.after?.id ?? null, params.limit];
  return (await runQuery<ApiOrderSummaryRow>(db, query, values)).rows;
}
