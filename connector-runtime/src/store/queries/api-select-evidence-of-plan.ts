/** Evidence recorded on the tasks of one plan, for the order API's task view. */
import type { Queryable } from '../database';
import { runQuery } from '../run-query';

/** A `task_evidence` row of a fulfillment task (the summary and hash stay in the table). */
export interface ApiEvidenceRow {
  id: string;
  fulfillment_task_id: string;
  evidence_kind: string;
  source_system: string;
  reference: string | null;
  external_correlation_id: string | null;
  recorded_by: string;
  recorded_at: Date;
}

const query = {
  name: 'api-select-evidence-of-plan',
  text: `select e.id, e.fulfillment_task_id, e.evidence_kind, e.source_system, e.reference, e.external_correlation_id, e.recorded_by,
                e.recorded_at
           from fulfillment_task t
           join task_evidence e on e.tenant_id = t.tenant_id and e.fulfillment_task_id = t.id
          where t.tenant_id = $1 and t.fulfillment_plan_id = $2
          order by t.sequence, e.recorded_at, e.id`,
};

/** Evidence of the plan's tasks, in plan order, oldest first. */
export async function apiSelectEvidenceOfPlan(db: Queryable, params: { tenantId: string; fulfillmentPlanId: string }): Promise<ApiEvidenceRow[]> {
  return (await runQuery<ApiEvidenceRow>(db, query, [params.tenantId, params.fulfillmentPlanId])).rows;
}
