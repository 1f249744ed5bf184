/**
 * The `fulfillment_task` columns the store reads, shared by the queries that return task rows so
 * every one of them maps to the same {@link FulfillmentTaskRow}.
 */

/** One `fulfillment_task` row as the store reads it; bigint columns come as decimal strings. */
export interface FulfillmentTaskRow {
  tenant_id: string;
  id: string;
  fulfillment_plan_id: string;
  order_id: string;
  order_item_id: string;
  sequence: number;
  template_id: string;
  task_type: string;
  phase: string;
  execution_mode: string;
  owner_system: string;
  required: boolean;
  status: string;
  input_snapshot: unknown;
  input_snapshot_hash: string;
  retry_policy: unknown;
  timeout_policy: unknown;
  compensation_policy: unknown;
  attempt_count: number;
  last_failure_code: string | null;
  last_failure_message: string | null;
  version: string;
  started_at: Date | null;
  completed_at: Date | null;
}

/** Select list producing a {@link FulfillmentTaskRow}. */
export const fulfillmentTaskColumns = `tenant_id, id, fulfillment_plan_id, order_id, order_item_id, sequence, template_id,
  task_type, phase, execution_mode, owner_system, required, status, input_snapshot, input_snapshot_hash, retry_policy,
  timeout_policy, compensation_policy, attempt_count, last_failure_code, last_failure_message, version::text as version,
  started_at, completed_at`;
