/** Marks claimed outbox rows as published. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'mark-outbox-events-published',
  text: `update outbox set published_at = now(), attempts = attempts + 1, last_error = null
          where id = any($1::bigint[]) and published_at is null`,
};

/** Sets published_at on the rows (ids as decimal strings); returns how many changed. */
export async function markOutboxEventsPublished(tx: Tx, params: { ids: readonly string[] }): Promise<number> {
  const result = await runQuery(tx, query, [params.ids]);
  return result.rowCount ?? 0;
}
