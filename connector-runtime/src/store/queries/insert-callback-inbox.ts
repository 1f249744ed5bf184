/** Stores a verified callback once per (tenant, source system, webhook-id). */
import { BugError } from '../../errors';
import type { Queryable } from '../database';
import { jsonParameter } from '../rows';
import { runQuery } from '../run-query';

/** Values of one inbox row. */
export interface InsertCallbackInboxParams {
  tenantId: string;
  id: string;
  sourceSystem: string;
  webhookId: string;
  webhookTimestamp: string;
  headers: Record<string, string>;
  rawPayload: string;
  payload: unknown;
  payloadHash: string;
  externalCorrelationId: string | null;
}

// A redelivery hits the dedupe key and inserts nothing; the existing row is returned instead, with
// its payload hash, so the caller can tell a true redelivery from a reused id with another body.
// When the first delivery commits while this statement waits on the key, the select part cannot
// see that row (its snapshot is older) and nothing is returned: the caller runs the statement again.
const query = {
  name: 'insert-callback-inbox',
  text: `with inserted as (
           insert into callback_inbox
             (tenant_id, id, source_system, webhook_id, webhook_timestamp, headers, raw_payload, payload, payload_hash, external_correlation_id)
           values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10)
           on conflict (tenant_id, source_system, webhook_id) do nothing
           returning id, payload_hash, true as inserted
         )
         select id, payload_hash, inserted from inserted
         union all
         select id, payload_hash, false from callback_inbox
          where tenant_id = $1 and source_system = $3 and webhook_id = $4 and not exists (select 1 from inserted)`,
};

/** The stored row's id and payload hash, and whether this call inserted it. */
export async function insertCallbackInbox(db: Queryable, params: InsertCallbackInboxParams): Promise<{ id: string; payloadHash: string; inserted: boolean }> {
  // A second run has a new snapshot, so it sees the row a concurrent delivery committed.
  for (let run = 0; run < 2; run += 1) {
    const row = await runInsert(db, params);
    if (row) return { id: row.id, payloadHash: row.payload_hash, inserted: row.inserted };
  }
  throw new BugError('CALLBACK.INBOX_ROW_MISSING', `callback_inbox has no row for webhook-id ${params.webhookId} after a conflicting insert`, {
    sourceSystem: params.sourceSystem,
    webhookId: params.webhookId,
  });
}

async function runInsert(db: Queryable, params: InsertCallbackInboxParams) {
  const result = await runQuery<{ id: string; payload_hash: string; inserted: boolean }>(db, query, [
    params.tenantId,
    params.id,
    params.sourceSystem,
    params.webhookId,
    params.webhookTimestamp,
    jsonParameter(params.headers),
    params.rawPayload,
    jsonParameter(params.payload),
    params.payloadHash,
    params.externalCorrelationId,
  ]);
  return result.rows[0];
}
