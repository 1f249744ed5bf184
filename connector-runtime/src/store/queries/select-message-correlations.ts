/** Lists a tenant's message correlations, optionally of one aggregate or one correlation key. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** A `workflow_message_correlation` row as pg returns it. */
export interface MessageCorrelationRow {
  id: string;
  tenant_id: string;
  process_instance_key: string;
  message_name: string;
  correlation_key: string;
  aggregate_type: string;
  aggregate_id: string;
  cause_id: string;
  status: string;
  variables: Record<string, unknown>;
  /** bigint: a decimal string from pg. */
  time_to_live_ms: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
  correlated_at: Date | null;
}

// A null filter matches every row; the pending index does not serve this, the tenant's rows are few.
const query = {
  name: 'select-message-correlations',
  text: `select id, tenant_id, process_instance_key, message_name, correlation_key, aggregate_type, aggregate_id, cause_id,
                status, variables, time_to_live_ms, attempts, last_error, created_at, next_attempt_at, correlated_at
           from workflow_message_correlation
          where tenant_id = $1
            and ($2::uuid is null or aggregate_id = $2::uuid)
            and ($3::varchar is null or correlation_key = $3::varchar)
          order by created_at, id`,
};

/** The tenant's correlations, oldest first. */
export async function selectMessageCorrelations(
  db: Queryable,
  params: { tenantId: string; aggregateId?: string; correlationKey?: string },
): Promise<MessageCorrelationRow[]> {
  const result = await runQuery<MessageCorrelationRow>(db, query, [params.tenantId, params.aggregateId ?? null, params.correlationKey ?? null]);
  return result.rows;
}
