/** Records that a claimed message correlation was published to the engine. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

// CORRELATED is the seed's name (§21); in the engine's terms the message is published (or was
// already, when the engine refused its id as a duplicate).
const query = {
  name: 'mark-message-correlation-correlated',
  text: `update workflow_message_correlation
            set status = 'CORRELATED', correlated_at = now(), attempts = attempts + 1, last_error = null
          where tenant_id = $1 and id = $2 and status = 'PENDING'`,
};

/** Marks the row CORRELATED; returns false when it was no longer pending. */
export async function markMessageCorrelationCorrelated(tx: Tx, params: { tenantId: string; id: string }): Promise<boolean> {
  const result = await runQuery(tx, query, [params.tenantId, params.id]);
  return result.rowCount === 1;
}
