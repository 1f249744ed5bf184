/** Inserts one unpublished `outbox` row. */
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

/** Values of one outbox row (the seed §20 envelope, flattened into columns). */
export interface InsertOutboxEventParams {
  eventId: string;
  eventType: string;
  eventVersion: number;
  aggregateType: string;
  aggregateId: string;
  tenantId: string;
  correlationId: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  occurredAt: string;
}

const query = {
  name: 'insert-outbox-event',
  text: `insert into outbox
           (event_id, event_type, event_version, aggregate_type, aggregate_id, tenant_id, correlation_id, payload, headers, occurred_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)
         returning id::text as id`,
};

/** Inserts the row; returns its identity id as a decimal string. A repeated event id fails (unique). */
export async function insertOutboxEvent(db: Queryable, params: InsertOutboxEventParams): Promise<string> {
  const result = await runQuery<{ id: string }>(db, query, [
    params.eventId,
    params.eventType,
    params.eventVersion,
    params.aggregateType,
    params.aggregateId,
    params.tenantId,
    params.correlationId,
    jsonParameter(params.payload),
    jsonParameter(params.headers),
    params.occurredAt,
  ]);
  return result.rows[0]!.id;
}
