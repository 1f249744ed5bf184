/** Claims the oldest due pending workflow start request, if any. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

/** A claimed start request. */
export interface WorkflowStartRequestRow {
  tenant_id: string;
  id: string;
  order_id: string;
  fulfillment_plan_id: string;
  business_key: string;
  process_id: string;
  variables: Record<string, unknown>;
  attempts: number;
}

// SKIP LOCKED: replicas of the relay take different requests instead of starting one twice.
const query = {
  name: 'claim-due-workflow-start-request',
  text: `select tenant_id, id, order_id, fulfillment_plan_id, business_key, process_id, variables, attempts
           from workflow_start_request
          where status = 'PENDING' and next_attempt_at <= now()
          order by next_attempt_at, id
          limit 1
          for update skip locked`,
};

/** Locks one due request until `tx` ends, or returns undefined when none is due. */
export async function claimDueWorkflowStartRequest(tx: Tx): Promise<WorkflowStartRequestRow | undefined> {
  const result = await runQuery<WorkflowStartRequestRow>(tx, query, []);
  return result.rows[0];
}
