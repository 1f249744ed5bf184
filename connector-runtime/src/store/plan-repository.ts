/**
 * Fulfillment plans in PostgreSQL: the plan row, one `fulfillment_task` row per task and one
 * `fulfillment_task_dependency` row per edge, written together in one transaction and read back
 * into the domain's `FulfillmentPlan` shape (the store adds only the optimistic versions).
 */
import { ConcurrencyConflictError, NotFoundError } from '../errors';
import type { FulfillmentPlan, FulfillmentTask } from '../domain/fulfillment-plan';
import { fulfillmentPlanSchema, fulfillmentTaskSchema } from '../domain/fulfillment-plan';
import { transitionPlan } from '../domain/plan-state-machine';
import type { FulfillmentPlanStatus } from '../domain/vocabulary';
import type { Queryable, Tx } from './database';
import type { FulfillmentTaskRow } from './queries/fulfillment-task-columns';
import { insertAuditLog } from './queries/insert-audit-log';
import { insertFulfillmentPlan } from './queries/insert-fulfillment-plan';
import { insertFulfillmentTask } from './queries/insert-fulfillment-task';
import { insertFulfillmentTaskDependency } from './queries/insert-fulfillment-task-dependency';
import { selectFulfillmentPlan } from './queries/select-fulfillment-plan';
import { selectPlanTaskDependencies } from './queries/select-plan-task-dependencies';
import { selectPlanTasks } from './queries/select-plan-tasks';
import { updateFulfillmentPlanStatus } from './queries/update-fulfillment-plan-status';
import { isoFromColumn, versionFromColumn } from './rows';

/** Audit and event name of the plan aggregate. */
export const planAggregateType = 'FulfillmentPlan';

/** A plan as loaded: the domain plan plus the optimistic version of the plan and of each task. */
export interface StoredPlan {
  plan: FulfillmentPlan;
  version: number;
  /** Version of each task, by task id: what a transition of that task must expect. */
  taskVersions: Record<string, number>;
}

/** A task as loaded, with its version and the bookkeeping columns the domain shape leaves out. */
export interface StoredTask {
  task: FulfillmentTask;
  version: number;
  attemptCount: number;
  lastFailure: { code: string | null; message: string | null };
  startedAt: string | null;
}

/**
 * Maps a task row and its dependency ids to the domain task. The row is parsed, not cast: JSON
 * columns and status strings are outside data until the domain schema accepts them.
 */
export function storedTaskFromRow(row: FulfillmentTaskRow, dependsOn: readonly string[]): StoredTask {
  const task = fulfillmentTaskSchema.parse({
    taskId: row.id,
    fulfillmentPlanId: row.fulfillment_plan_id,
    tenantId: row.tenant_id,
    orderId: row.order_id,
    orderItemId: row.order_item_id,
    sequence: row.sequence,
    templateId: row.template_id,
    taskType: row.task_type,
    phase: row.phase,
    executionMode: row.execution_mode,
    ownerSystem: row.owner_system,
    required: row.required,
    status: row.status,
    dependsOn: [...dependsOn],
    inputSnapshot: row.input_snapshot,
    inputSnapshotHash: row.input_snapshot_hash,
    retryPolicy: row.retry_policy,
    timeoutPolicy: row.timeout_policy,
    compensationPolicy: row.compensation_policy,
    completedAt: isoFromColumn(row.completed_at),
  });
  return {
    task,
    version: versionFromColumn(row.version),
    attemptCount: row.attempt_count,
    lastFailure: { code: row.last_failure_code, message: row.last_failure_message },
    startedAt: isoFromColumn(row.started_at),
  };
}

/**
 * Persists a decomposed plan in `tx`: the plan row, its tasks in plan order, then the dependency
 * edges (both ends must exist first). Everything starts at version 0. The plan is parsed first, so
 * a plan built in code with a wrong field fails here rather than as a half-written graph.
 */
export async function persistPlan(tx: Tx, plan: FulfillmentPlan): Promise<StoredPlan> {
  const valid = fulfillmentPlanSchema.parse(plan);
  const version = await insertFulfillmentPlan(tx, valid);
  for (const task of valid.tasks) await insertFulfillmentTask(tx, task);
  for (const task of valid.tasks) {
    for (const dependsOnTaskId of task.dependsOn) {
      await insertFulfillmentTaskDependency(tx, {
        tenantId: valid.tenantId,
        fulfillmentPlanId: valid.fulfillmentPlanId,
        taskId: task.taskId,
        dependsOnTaskId,
      });
    }
  }
  return {
    plan: valid,
    version: versionFromColumn(version),
    taskVersions: Object.fromEntries(valid.tasks.map((task) => [task.taskId, 0])),
  };
}

/**
 * Loads every task of the tenant's plan with its dependencies, in plan order. `forUpdate` locks the
 * task rows (in plan order) until the transaction ends.
 */
export async function loadPlanTasks(
  db: Queryable,
  params: { tenantId: string; fulfillmentPlanId: string; forUpdate?: boolean },
): Promise<StoredTask[]> {
  const rows = await selectPlanTasks(db, params);
  const edges = await selectPlanTaskDependencies(db, params);
  const dependsOn = new Map<string, string[]>();
  for (const edge of edges) dependsOn.set(edge.task_id, [...(dependsOn.get(edge.task_id) ?? []), edge.depends_on_task_id]);
  return rows.map((row) => storedTaskFromRow(row, dependsOn.get(row.id) ?? []));
}

/**
 * Loads the tenant's plan with its tasks and dependencies; `NotFoundError` (`PLAN.NOT_FOUND`) for
 * an unknown plan or another tenant's. Run it in a transaction when the plan may change meanwhile:
 * the plan row and its tasks are read by separate statements.
 */
export async function loadPlan(db: Queryable, params: { tenantId: string; fulfillmentPlanId: string }): Promise<StoredPlan> {
  const row = await selectFulfillmentPlan(db, params);
  if (!row) throw new NotFoundError('plan', params.fulfillmentPlanId);
  const tasks = await loadPlanTasks(db, params);
  const plan = fulfillmentPlanSchema.parse({
    fulfillmentPlanId: row.id,
    tenantId: row.tenant_id,
    orderId: row.order_id,
    orderVersion: versionFromColumn(row.order_version),
    completionPolicy: row.completion_policy,
    catalogVersion: row.catalog_version,
    status: row.status,
    tasks: tasks.map((stored) => stored.task),
  });
  return {
    plan,
    version: versionFromColumn(row.version),
    taskVersions: Object.fromEntries(tasks.map((stored) => [stored.task.taskId, stored.version])),
  };
}

/** What a plan status change needs: who, why, and the version the caller decided on. */
export interface PlanStatusChange {
  tenantId: string;
  fulfillmentPlanId: string;
  expectedVersion: number;
  to: FulfillmentPlanStatus;
  actor: string;
  correlationId: string;
  reason?: string;
  /** When the change happened (ISO-8601); default now. */
  at?: string;
}

/**
 * Moves the plan to `to` through the domain's plan state machine when its version is still
 * `expectedVersion`, with an audit row in the same transaction, and returns the new version.
 * A stale version is a `ConcurrencyConflictError` (`PLAN.VERSION_CONFLICT`), a move the state
 * machine forbids an `InvalidTransitionError` (`PLAN.INVALID_TRANSITION`); neither writes anything.
 */
export async function updatePlanStatus(tx: Tx, change: PlanStatusChange): Promise<number> {
  const row = await selectFulfillmentPlan(tx, { tenantId: change.tenantId, fulfillmentPlanId: change.fulfillmentPlanId, forUpdate: true });
  if (!row) throw new NotFoundError('plan', change.fulfillmentPlanId);
  if (versionFromColumn(row.version) !== change.expectedVersion) {
    throw new ConcurrencyConflictError('plan', change.fulfillmentPlanId, change.expectedVersion);
  }
  const at = change.at ?? new Date().toISOString();
  transitionPlan({ fulfillmentPlanId: row.id, status: row.status as FulfillmentPlanStatus }, change.to);
  const version = await updateFulfillmentPlanStatus(tx, {
    tenantId: change.tenantId,
    fulfillmentPlanId: change.fulfillmentPlanId,
    status: change.to,
    expectedVersion: change.expectedVersion,
    completedAt: change.to === 'COMPLETED' ? at : isoFromColumn(row.completed_at),
  });
  if (version === undefined) throw new ConcurrencyConflictError('plan', change.fulfillmentPlanId, change.expectedVersion);
  await insertAuditLog(tx, {
    tenantId: change.tenantId,
    orderId: row.order_id,
    entityType: planAggregateType,
    entityId: change.fulfillmentPlanId,
    action: 'STATUS_CHANGED',
    stateBefore: row.status,
    stateAfter: change.to,
    details: change.reason === undefined ? {} : { reason: change.reason },
    actor: change.actor,
    correlationId: change.correlationId,
    at,
  });
  return versionFromColumn(version);
}
