/** Inserts a message correlation unless the same cause already requested it. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

/** The correlation's id and status, and whether this call wrote it. */
export interface InsertedMessageCorrelation {
  id: string;
  inserted: boolean;
  status: string;
}

// Unique per (tenant, message, correlation key, cause): the same callback twice is one message, a
// retried task's new attempt is another (docs/decisions/0003-message-correlation-key.md).
const query = {
  name: 'insert-message-correlation',
  text: `with inserted as (
           insert into workflow_message_correlation
             (id, tenant_id, process_instance_key, message_name, correlation_key, aggregate_type, aggregate_id, cause_id,
              variables, time_to_live_ms, status, created_at)
           values ($1::uuid, $2::varchar, $3, $4::varchar, $5::varchar, $6, $7::uuid, $8::uuid, $9::jsonb, $10, 'PENDING', now())
           on conflict (tenant_id, message_name, correlation_key, cause_id) do nothing
           returning id::text as id, true as inserted, status
         )
         select id, inserted, status from inserted
         union all
         select id::text, false, status from workflow_message_correlation
          where tenant_id = $2::varchar and message_name = $4::varchar and correlation_key = $5::varchar and cause_id = $8::uuid
            and not exists (select 1 from inserted)`,
};

/** Returns the correlation of this cause: the new row, or the one already there. */
export async function insertMessageCorrelation(
  db: Queryable,
  params: {
    id: string;
    tenantId: string;
    processInstanceKey: string;
    messageName: string;
    correlationKey: string;
    aggregateType: string;
    aggregateId: string;
    causeId: string;
    variables: Record<string, unknown>;
    timeToLiveMs: number;
  },
): Promise<InsertedMessageCorrelation> {
  const result = await runQuery<InsertedMessageCorrelation>(db, query, [
    params.id,
    params.tenantId,
    params.processInstanceKey,
    params.messageName,
    params.correlationKey,
    params.aggregateType,
    params.aggregateId,
    params.causeId,
    jsonParameter(params.variables),
    params.timeToLiveMs,
  ]);
  return result.rows[0]!;
}
