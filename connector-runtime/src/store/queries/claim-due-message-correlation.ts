/** Claims the oldest due pending message correlation, if any, for CorrelationRelay. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

/** A claimed correlation: what the relay publishes. */
export interface ClaimedMessageCorrelationRow {
  id: string;
  tenant_id: string;
  process_instance_key: string;
  message_name: string;
  correlation_key: string;
  aggregate_type: string;
  aggregate_id: string;
  cause_id: string;
  variables: Record<string, unknown>;
  /** bigint: a decimal string from pg. */
  time_to_live_ms: string;
  attempts: number;
}

// FOR UPDATE SKIP LOCKED: another relay instance takes another row instead of publishing this one
// too. Never "id > last seen" (docs/architecture.md §6); `$1` only lists the rows this round already handled, so
// a row whose back-off is zero is not retried within the same round.
const query = {
  name: 'claim-due-message-correlation',
  text: `select id::text as id, tenant_id, process_instance_key, message_name, correlation_key, aggregate_type,
                aggregate_id::text as aggregate_id, cause_id::text as cause_id, variables, time_to_live_ms, attempts
           from workflow_message_correlation
          where status = 'PENDING' and next_attempt_at <= now() and id <> all($1::uuid[])
          order by next_attempt_at, created_at, id
          limit 1
          for update skip locked`,
};

/** Locks one due correlation until `tx` ends, or returns undefined when none is due. */
export async function claimDueMessageCorrelation(tx: Tx, params: { skipIds: readonly string[] }): Promise<ClaimedMessageCorrelationRow | undefined> {
  const result = await runQuery<ClaimedMessageCorrelationRow>(tx, query, [params.skipIds]);
  return result.rows[0];
}
