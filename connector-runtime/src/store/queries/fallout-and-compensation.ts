/**
 * Statements of fallout cases (seed §17) and compensation (seed §16): business truth held by the
 * OMS and changed only by its commands. Each statement keeps its own name.
 */
import { defineQuery } from '../run-query';

/** A `fallout_case` row. */
export interface FalloutCaseRow {
  id: string;
  order_id: string;
  fulfillment_plan_id: string | null;
  fulfillment_task_id: string | null;
  idempotency_key: string;
  category: string;
  severity: string;
  reason: string;
  status: string;
  resolution: string | null;
  version: string;
  created_at: Date;
}

const falloutColumns = `id, order_id, fulfillment_plan_id, fulfillment_task_id, idempotency_key, category, severity, reason, status,
  resolution, version::text as version, created_at`;

/** Opens a case unless one exists for the idempotency key; returns the row and whether it is new. */
export const insertFalloutCase = defineQuery<FalloutCaseRow & { inserted: boolean }>(
  'insert-fallout-case',
  `with inserted as (
     insert into fallout_case (tenant_id, id, order_id, order_item_id, fulfillment_plan_id, fulfillment_task_id, idempotency_key, category,
       severity, reason, customer_impact, retryable, requires_manual_repair, suggested_repair_actions, source_system,
       external_correlation_id, evidence_hash, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17, 'OPEN')
     on conflict (tenant_id, idempotency_key) do nothing
     returning ${falloutColumns}, true as inserted)
   select * from inserted
   union all
   select ${falloutColumns}, false from fallout_case where tenant_id = $1 and idempotency_key = $7 and not exists (select 1 from inserted)`,
);

/** One case of a tenant, locked. */
export const selectFalloutCaseForUpdate = defineQuery<FalloutCaseRow>(
  'select-fallout-case-for-update',
  `select ${falloutColumns} from fallout_case where tenant_id = $1 and id = $2 for update`,
);

/** The newest unresolved (OPEN / IN_REPAIR) case of a task, or of the plan itself when $3 is null. */
export const selectOpenFalloutCase = defineQuery<FalloutCaseRow>(
  'select-open-fallout-case',
  `select ${falloutColumns} from fallout_case
    where tenant_id = $1 and fulfillment_plan_id = $2 and fulfillment_task_id is not distinct from $3 and status in ('OPEN', 'IN_REPAIR')
    order by created_at desc limit 1 for update`,
);

/** Every case of a plan, oldest first. */
export const selectFalloutCasesOfPlan = defineQuery<FalloutCaseRow>(
  'select-fallout-cases-of-plan',
  `select ${falloutColumns} from fallout_case where tenant_id = $1 and fulfillment_plan_id = $2 order by created_at, id`,
);

/** Moves a case on (REPAIRED / CLOSED / IN_REPAIR) with its resolution. */
export const updateFalloutCase = defineQuery(
  'update-fallout-case',
  `update fallout_case
      set status = $3::varchar, resolution = coalesce($4::text, resolution), assigned_to = coalesce($5::varchar, assigned_to), version = version + 1, updated_at = now(),
          repaired_at = case when $3::varchar = 'REPAIRED' then now() else repaired_at end,
          closed_at = case when $3::varchar = 'CLOSED' then now() else closed_at end
    where tenant_id = $1 and id = $2`,
);

/** A `compensation_plan` row. */
export interface CompensationPlanRow {
  id: string;
  status: string;
  reason: string;
}

/** The plan's unfinished compensation, locked, if any. */
export const selectUnfinishedCompensation = defineQuery<CompensationPlanRow>(
  'select-unfinished-compensation',
  `select id, status, reason from compensation_plan where tenant_id = $1 and fulfillment_plan_id = $2 and status <> 'COMPLETED' for update`,
);

/** The newest compensation of a plan. */
export const selectLatestCompensation = defineQuery<CompensationPlanRow>(
  'select-latest-compensation',
  `select id, status, reason from compensation_plan where tenant_id = $1 and fulfillment_plan_id = $2 order by created_at desc limit 1`,
);

/** Inserts a compensation plan; a repeated idempotency key returns the first one. */
export const insertCompensationPlan = defineQuery<CompensationPlanRow & { inserted: boolean }>(
  'insert-compensation-plan',
  `with inserted as (
     insert into compensation_plan (tenant_id, id, order_id, fulfillment_plan_id, idempotency_key, reason, status)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (tenant_id, idempotency_key) do nothing
     returning id, status, reason, true as inserted)
   select * from inserted
   union all
   select id, status, reason, false from compensation_plan where tenant_id = $1 and idempotency_key = $5 and not exists (select 1 from inserted)`,
);

/** Sets a compensation plan's status. */
export const updateCompensationPlan = defineQuery(
  'update-compensation-plan',
  `update compensation_plan set status = $3::varchar, version = version + 1, updated_at = now(),
          completed_at = case when $3::varchar = 'COMPLETED' then now() else completed_at end
    where tenant_id = $1 and id = $2`,
);

/** A `compensation_task` row. */
export interface CompensationTaskRow {
  id: string;
  compensation_plan_id: string;
  fulfillment_plan_id: string;
  source_task_id: string;
  compensation_task_type: string | null;
  sequence: number | null;
  manual_review: boolean;
  owner_system: string;
  status: string;
  attempt_count: number;
}

const compensationTaskColumns = `id, compensation_plan_id, fulfillment_plan_id, source_task_id, compensation_task_type, sequence, manual_review,
  owner_system, status, attempt_count`;

/** Inserts one step (or manual review item). */
export const insertCompensationTask = defineQuery(
  'insert-compensation-task',
  `insert into compensation_task (tenant_id, id, compensation_plan_id, fulfillment_plan_id, source_task_id, compensation_task_type, sequence,
     manual_review, owner_system, status, input_snapshot_hash)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
);

/** The steps of a compensation plan in run order (manual review items last). */
export const selectCompensationTasks = defineQuery<CompensationTaskRow>(
  'select-compensation-tasks',
  `select ${compensationTaskColumns} from compensation_task where tenant_id = $1 and compensation_plan_id = $2
    order by sequence nulls last, id`,
);

/** One step, locked. */
export const selectCompensationTaskForUpdate = defineQuery<CompensationTaskRow>(
  'select-compensation-task-for-update',
  `select ${compensationTaskColumns} from compensation_task where tenant_id = $1 and id = $2 for update`,
);

/** Moves a step on. */
export const updateCompensationTask = defineQuery(
  'update-compensation-task',
  `update compensation_task
      set status = $3::varchar, attempt_count = attempt_count + case when $3::varchar = 'IN_PROGRESS' then 1 else 0 end,
          last_failure_code = coalesce($4::varchar, last_failure_code), last_failure_message = coalesce($5::text, last_failure_message),
          version = version + 1, updated_at = now(),
          started_at = case when $3::varchar = 'IN_PROGRESS' then coalesce(started_at, now()) else started_at end,
          completed_at = case when $3::varchar = 'COMPLETED' then now() else completed_at end
    where tenant_id = $1 and id = $2`,
);
