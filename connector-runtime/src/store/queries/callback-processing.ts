/** Statements of callback processing: the unprocessed inbox and the outcome of each callback. */
import { defineQuery } from '../run-query';

/** An inbox row as processing reads it. */
export interface InboxRow {
  tenant_id: string;
  id: string;
  source_system: string;
  payload: unknown;
  processed_at: Date | null;
}

/** One inbox row, locked; skipped when another processor holds it. */
export const claimInboxRow = defineQuery<InboxRow>(
  'claim-callback-inbox-row',
  `select tenant_id, id, source_system, payload, processed_at from callback_inbox where tenant_id = $1 and id = $2 for update skip locked`,
);

/** Unprocessed callbacks, oldest first (each is then claimed by its own transaction). */
export const claimUnprocessedInbox = defineQuery<InboxRow>(
  'claim-unprocessed-callback-inbox',
  `select tenant_id, id, source_system, payload, processed_at from callback_inbox where processed_at is null
    order by received_at, id limit $1`,
);

/** Records what processing concluded: the request it belongs to, or why it was rejected. */
export const markInboxProcessed = defineQuery(
  'mark-callback-inbox-processed',
  `update callback_inbox set processed_at = $3, processing_error = $4, external_call_attempt_id = coalesce($5, external_call_attempt_id)
    where tenant_id = $1 and id = $2`,
);
