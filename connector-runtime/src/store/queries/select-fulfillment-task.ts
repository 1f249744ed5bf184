/** Reads one `fulfillment_task` row of a tenant, optionally locking it for a transition. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';
import { fulfillmentTaskColumns } from './fulfillment-task-columns';
import type { FulfillmentTaskRow } from './fulfillment-task-columns';

const query = {
  name: 'select-fulfillment-task',
  text: `select ${fulfillmentTaskColumns} from fulfillment_task where tenant_id = $1 and id = $2`,
};

const forUpdateQuery = {
  name: 'select-fulfillment-task-for-update',
  text: `select ${fulfillmentTaskColumns} from fulfillment_task where tenant_id = $1 and id = $2 for update`,
};

/** The task row, or `undefined` when the tenant has no such task. */
export async function selectFulfillmentTask(
  db: Queryable,
  params: { tenantId: string; taskId: string; forUpdate?: boolean },
): Promise<FulfillmentTaskRow | undefined> {
  const result = await runQuery<FulfillmentTaskRow>(db, params.forUpdate ? forUpdateQuery : query, [params.tenantId, params.taskId]);
  return result.rows[0];
}
