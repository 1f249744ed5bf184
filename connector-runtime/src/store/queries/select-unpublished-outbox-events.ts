/** Lists a tenant's unpublished outbox rows, oldest first. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** One outbox row; `id` is the identity column as a decimal string. */
export interface OutboxRow {
  id: string;
  event_id: string;
  event_type: string;
  event_version: number;
  aggregate_type: string;
  aggregate_id: string;
  tenant_id: string;
  correlation_id: string;
  payload: unknown;
  headers: unknown;
  occurred_at: Date;
  attempts: number;
}

// A read-only view for the API and tests: it takes no locks. The relay's claim (FOR UPDATE SKIP
// LOCKED across tenants) is a separate query of the relay.
const query = {
  name: 'select-unpublished-outbox-events',
  text: `select id::text as id, event_id, event_type, event_version, aggregate_type, aggregate_id, tenant_id, correlation_id,
                payload, headers, occurred_at, attempts
           from outbox
          where tenant_id = $1 and published_at is null
          order by occurred_at, id
          limit $2`,
};

/** At most `limit` unpublished rows of the tenant, in the order they occurred. */
export async function selectUnpublishedOutboxEvents(db: Queryable, params: { tenantId: string; limit: number }): Promise<OutboxRow[]> {
  const result = await runQuery<OutboxRow>(db, query, [params.tenantId, params.limit]);
  return result.rows;
}
