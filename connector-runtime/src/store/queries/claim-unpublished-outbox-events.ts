/** Claims the oldest unpublished outbox rows of every tenant for the relay. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';
import type { OutboxRow } from './select-unpublished-outbox-events';

// FOR UPDATE SKIP LOCKED: a second relay (or replica) skips rows another one is publishing instead
// of waiting for them or sending them twice. Never "id > last seen": ids are assigned before
// commit, so a row committed later can hold a lower id (docs/architecture.md §6).
const query = {
  name: 'claim-unpublished-outbox-events',
  text: `select id::text as id, event_id, event_type, event_version, aggregate_type, aggregate_id, tenant_id, correlation_id,
                payload, headers, occurred_at, attempts
           from outbox
          where published_at is null
          order by occurred_at, id
          limit $1
          for update skip locked`,
};

/** Locks and returns at most `limit` unpublished rows, oldest first, until `tx` ends. */
export async function claimUnpublishedOutboxEvents(tx: Tx, params: { limit: number }): Promise<OutboxRow[]> {
  const result = await runQuery<OutboxRow>(tx, query, [params.limit]);
  return result.rows;
}
