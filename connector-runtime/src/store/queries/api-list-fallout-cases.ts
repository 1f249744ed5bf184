/**
 * One page of a tenant's fallout cases for the order API, newest first, by keyset on
 * (created_at, id), filtered by status, category and the system the case came from. As with
 * orders, the cursor's time travels as text with microseconds (`cursor_at`).
 */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** A `fallout_case` row as the API shows it; `version` is a decimal string. */
export interface ApiFalloutCaseRow {
  id: string;
  order_id: string;
  order_item_id: string | null;
  fulfillment_plan_id: string | null;
  fulfillment_task_id: string | null;
  category: string;
  severity: string;
  reason: string;
  customer_impact: string | null;
  retryable: boolean;
  requires_manual_repair: boolean;
  suggested_repair_actions: unknown;
  source_system: string | null;
  external_correlation_id: string | null;
  status: string;
  assigned_to: string | null;
  resolution: string | null;
  version: string;
  created_at: Date;
  updated_at: Date;
  repaired_at: Date | null;
  closed_at: Date | null;
  cursor_at: string;
}

// A null filter matches every row.
const query = {
  name: 'api-list-fallout-cases',
  text: `select id, order_id, order_item_id, fulfillment_plan_id, fulfillment_task_id, category, severity, reason, customer_impact,
                retryable, requires_manual_repair, suggested_repair_actions, source_system, external_correlation_id, status,
                assigned_to, resolution, version::text as version, created_at, updated_at, repaired_at, closed_at,
                to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
           from fallout_case
          where tenant_id = $1
            and status = any($2::text[])
            and ($3::text[] is null or category = any($3::text[]))
            and ($4::text is null or source_system = $4::text)
            and ($5::timestamptz is null or (created_at, id) < ($5::timestamptz, $6::uuid))
          order by created_at desc, id desc
          limit $7`,
};

/** At most `limit` cases of the tenant older than the cursor (all when `after` is absent), newest first. */
export async function apiListFalloutCases(
  db: Queryable,
  params: {
    tenantId: string;
    statuses: readonly string[];
    categories: readonly string[] | undefined;
    sourceSystem: string | undefined;
    after: { at: string; id: string } | undefined;
    limit: number;
  },
): Promise<ApiFalloutCaseRow[]> {
  const values = [params.tenantId, params.statuses, params.categories ?? null, params.sourceSystem ?? null, params.after?.at ?? null, params.after?.id ?? null, params.limit];
  return (await runQuery<ApiFalloutCaseRow>(db, query, values)).rows;
}
