/**
 * Statements of the workflow bookkeeping the OMS commands keep (seed §6, §21): the plan's
 * execution, task attempts, external call attempts, evidence and the order's workflow ref. Several
 * small statements of closely related tables sit in this one file; each keeps its own name.
 */
import { defineQuery } from '../run-query';

/** A `fulfillment_execution` row. */
export interface ExecutionRow {
  id: string;
  tenant_id: string;
  order_id: string;
  fulfillment_plan_id: string;
  status: string;
  process_instance_key: string | null;
  started_at: Date;
  completed_at: Date | null;
}

const executionColumns = 'id, tenant_id, order_id, fulfillment_plan_id, status, process_instance_key, started_at, completed_at';

/** Inserts the plan's execution unless it exists; returns the row either way. */
export const insertFulfillmentExecution = defineQuery<ExecutionRow>(
  'insert-fulfillment-execution',
  `with inserted as (
     insert into fulfillment_execution (id, tenant_id, order_id, fulfillment_plan_id, status, started_at)
     values ($1, $2, $3, $4, 'RUNNING', $5)
     on conflict (tenant_id, order_id, fulfillment_plan_id) do nothing
     returning ${executionColumns})
   select * from inserted
   union all
   select ${executionColumns} from fulfillment_execution
    where tenant_id = $2 and order_id = $3 and fulfillment_plan_id = $4 and not exists (select 1 from inserted)`,
);

/** The plan's execution, locked. */
export const selectExecutionForUpdate = defineQuery<ExecutionRow>(
  'select-fulfillment-execution-for-update',
  `select ${executionColumns} from fulfillment_execution where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3 for update`,
);

/** Binds the execution to the process instance that runs it (first binder wins). */
export const bindExecutionInstance = defineQuery(
  'bind-fulfillment-execution-instance',
  `update fulfillment_execution set process_instance_key = $2, version = version + 1
    where id = $1 and process_instance_key is null`,
);

/** Ends the execution in an end status. */
export const endExecution = defineQuery(
  'end-fulfillment-execution',
  `update fulfillment_execution set status = $2, completed_at = $3, version = version + 1 where id = $1`,
);

/** A `fulfillment_task_attempt` row. */
export interface TaskAttemptRow {
  id: string;
  attempt_no: number;
  status: string;
  idempotency_key: string;
  external_system: string | null;
  external_correlation_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
}

const attemptColumns = 'id, attempt_no, status, idempotency_key, external_system, external_correlation_id, failure_code, failure_message';

/** The attempt a job's idempotency key claimed, if any. */
export const selectAttemptByKey = defineQuery<TaskAttemptRow>(
  'select-task-attempt-by-key',
  `select ${attemptColumns} from fulfillment_task_attempt where tenant_id = $1 and fulfillment_task_id = $2 and idempotency_key = $3`,
);

/** The latest attempt of a task. */
export const selectLatestAttempt = defineQuery<TaskAttemptRow>(
  'select-latest-task-attempt',
  `select ${attemptColumns} from fulfillment_task_attempt where tenant_id = $1 and fulfillment_task_id = $2
    order by attempt_no desc limit 1`,
);

/** Inserts an attempt (STARTED). */
export const insertTaskAttempt = defineQuery(
  'insert-task-attempt',
  `insert into fulfillment_task_attempt (id, tenant_id, order_id, fulfillment_task_id, attempt_no, status, idempotency_key, external_system, external_correlation_id, started_at)
   values ($1, $2, $3, $4, $5, 'STARTED', $6, $7, $8, $9)`,
);

/** Moves an attempt on; SUCCEEDED, FAILED and TIMED_OUT are final and never overwritten. */
export const updateTaskAttempt = defineQuery(
  'update-task-attempt',
  `update fulfillment_task_attempt
      set status = $2::varchar, request_hash = coalesce($3::varchar, request_hash), response_hash = coalesce($4::varchar, response_hash),
          failure_code = coalesce($5::varchar, failure_code), failure_message = coalesce($6::text, failure_message),
          completed_at = case when $2::varchar in ('SUCCEEDED', 'FAILED', 'TIMED_OUT') then $7::timestamptz else completed_at end
    where id = $1 and status not in ('SUCCEEDED', 'FAILED', 'TIMED_OUT')`,
);

/** An `external_call_attempt` row. */
export interface ExternalCallRow {
  id: string;
  tenant_id: string;
  order_id: string;
  fulfillment_task_id: string | null;
  compensation_task_id: string | null;
  external_system: string;
  external_correlation_id: string;
  idempotency_key: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
}

const externalColumns = `id, tenant_id, order_id, fulfillment_task_id, compensation_task_id, external_system, external_correlation_id,
  idempotency_key, status, failure_code, failure_message`;

/** Records a request before it is sent (STARTED); a repeat of the same idempotency key returns the first row. */
export const insertExternalCall = defineQuery<ExternalCallRow>(
  'insert-external-call-attempt',
  `with inserted as (
     insert into external_call_attempt (tenant_id, id, order_id, fulfillment_task_id, compensation_task_id, external_system,
       external_correlation_id, idempotency_key, request_hash, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'STARTED')
     on conflict (tenant_id, external_system, idempotency_key) do nothing
     returning ${externalColumns})
   select * from inserted
   union all
   select ${externalColumns} from external_call_attempt
    where tenant_id = $1 and external_system = $6 and idempotency_key = $8 and not exists (select 1 from inserted)`,
);

/** The request a callback names (not locked: the plan lock serializes its writers). */
export const selectExternalCallByCorrelation = defineQuery<ExternalCallRow>(
  'select-external-call-by-correlation',
  `select ${externalColumns} from external_call_attempt where tenant_id = $1 and external_system = $2 and external_correlation_id = $3`,
);

/** The requests of a task, newest first. */
export const selectExternalCallsOfTask = defineQuery<ExternalCallRow>(
  'select-external-calls-of-task',
  `select ${externalColumns} from external_call_attempt where tenant_id = $1 and fulfillment_task_id = $2 order by created_at desc, id`,
);

/**
 * Moves a request on. SUBMITTED never replaces a result: a callback that arrived before the
 * submitting worker committed (the partner was fast) has already set SUCCEEDED or FAILED.
 */
export const updateExternalCall = defineQuery(
  'update-external-call-attempt',
  `update external_call_attempt
      set status = $2::varchar, response_hash = coalesce($3::varchar, response_hash), failure_code = coalesce($4::varchar, failure_code),
          failure_message = coalesce($5::text, failure_message), version = version + 1, updated_at = now(),
          submitted_at = case when $2::varchar = 'SUBMITTED' then coalesce(submitted_at, now()) else submitted_at end,
          completed_at = case when $2::varchar in ('SUCCEEDED', 'FAILED', 'TIMED_OUT') then now() else completed_at end
    where tenant_id = $1 and id = $6
      and (status in ('STARTED', 'SUBMITTED') and not ($2::varchar = 'SUBMITTED' and status = 'SUBMITTED'))`,
);

/** One `task_evidence` row. */
export interface EvidenceRow {
  id: string;
  fulfillment_task_id: string | null;
  compensation_task_id: string | null;
  evidence_kind: string;
  source_system: string;
  external_correlation_id: string | null;
  external_call_attempt_id: string | null;
  callback_inbox_id: string | null;
  reference: string | null;
  summary: Record<string, unknown>;
  evidence_hash: string;
  recorded_at: Date;
}

/** Records evidence of a task or compensation step. */
export const insertEvidence = defineQuery(
  'insert-task-evidence',
  `insert into task_evidence (tenant_id, id, order_id, fulfillment_task_id, compensation_task_id, evidence_kind, source_system,
     external_correlation_id, external_call_attempt_id, callback_inbox_id, reference, summary, evidence_hash, recorded_by, recorded_at)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15)`,
);

/** Evidence of a task, newest first. */
export const selectEvidenceOfTask = defineQuery<EvidenceRow>(
  'select-task-evidence',
  `select id, fulfillment_task_id, compensation_task_id, evidence_kind, source_system, external_correlation_id, external_call_attempt_id,
          callback_inbox_id, reference, summary, evidence_hash, recorded_at
     from task_evidence where tenant_id = $1 and fulfillment_task_id = $2 order by recorded_at desc, id`,
);

/** The order's workflow ref of a plan. */
export const selectWorkflowRef = defineQuery<{ process_instance_key: string; status: string }>(
  'select-order-workflow-ref',
  `select process_instance_key, status from order_workflow_ref where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3`,
);

/** Ends the workflow ref (COMPLETED / CANCELLED / FAILED) when the instance reaches its end. */
export const endWorkflowRef = defineQuery(
  'end-order-workflow-ref',
  `update order_workflow_ref set status = $4, ended_at = $5, last_error = $6, version = version + 1
    where tenant_id = $1 and order_id = $2 and fulfillment_plan_id = $3 and status = 'ACTIVE'`,
);

/** The plan decomposed for an order version, if any. */
export const selectPlanOfOrderVersion = defineQuery<{ id: string }>(
  'select-plan-of-order-version',
  `select id from fulfillment_plan where tenant_id = $1 and order_id = $2 and order_version = $3`,
);

/** The latest plan of an order. */
export const selectLatestPlanOfOrder = defineQuery<{ id: string }>(
  'select-latest-plan-of-order',
  `select id from fulfillment_plan where tenant_id = $1 and order_id = $2 order by order_version desc limit 1`,
);

/** Records the task's output snapshot (the partner's result) and its hash. */
export const setTaskOutput = defineQuery(
  'set-fulfillment-task-output',
  `update fulfillment_task set output_snapshot = $3::jsonb, output_snapshot_hash = $4, updated_at = now() where tenant_id = $1 and id = $2`,
);

/** Records the cancellation request on the order. */
export const setOrderCancelRequest = defineQuery(
  'set-order-cancel-request',
  `update customer_order set cancel_requested_at = coalesce(cancel_requested_at, $3), cancel_reason = coalesce(cancel_reason, $4)
    where tenant_id = $1 and id = $2`,
);

/** When the order was created and whether cancellation was requested. */
export const selectOrderTimes = defineQuery<{ created_at: Date; cancel_requested_at: Date | null; cancel_reason: string | null }>(
  'select-order-times',
  `select created_at, cancel_requested_at, cancel_reason from customer_order where tenant_id = $1 and id = $2`,
);

/**
 * Locks the plan row: the per-plan mutex every command takes before it locks task rows, so
 * commands on tasks of one plan (parallel iterations, callbacks, promotions) queue instead of
 * deadlocking on task rows locked in different orders.
 */
export const lockPlanRow = defineQuery<{ id: string; order_id: string }>(
  'lock-fulfillment-plan-row',
  `select id, order_id from fulfillment_plan where tenant_id = $1 and id = $2 for update`,
);
