/** Records a failed publishing attempt on claimed outbox rows. */
import type { Tx } from '../database';
import { runQuery } from '../run-query';

const query = {
  name: 'record-outbox-publish-failure',
  text: `update outbox set attempts = attempts + 1, last_error = left($2, 2000)
          where id = any($1::bigint[]) and published_at is null`,
};

/** Counts the attempt and keeps the error on the rows, which stay unpublished. */
export async function recordOutboxPublishFailure(tx: Tx, params: { ids: readonly string[]; error: string }): Promise<number> {
  const result = await runQuery(tx, query, [params.ids, params.error]);
  return result.rowCount ?? 0;
}
