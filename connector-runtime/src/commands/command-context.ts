/**
 * What every OMS command shares: who runs it and under which correlation id, the clock, the
 * metrics, and the few steps each command repeats (emit an event through the outbox, audit a
 * change, load and check a task). Commands are the only way order truth changes (seed §3): job
 * handlers and the HTTP API call them, each in one PostgreSQL transaction with its audit rows and
 * outbox events (seed §20: an event leaves after the state change it reports).
 */
import { createHash, randomUUID } from 'node:crypto';
import { BugError, BusinessError, NotFoundError } from '../errors';
import type { FulfillmentTaskStatus } from '../domain/vocabulary';
import type { FulfillmentMetrics } from '../observability/metrics';
import type { Tx } from '../store/database';
import { enqueueEvent } from '../store/outbox';
import { storedTaskFromRow, type StoredTask } from '../store/plan-repository';
import { lockPlanRow } from '../store/queries/fulfillment-workflow';
import { insertAuditLog } from '../store/queries/insert-audit-log';
import { selectFulfillmentTask } from '../store/queries/select-fulfillment-task';
import { selectPlanTaskDependencies } from '../store/queries/select-plan-task-dependencies';
import { transitionTask, type TaskTransitionCommand, type TaskTransitionResult } from '../store/task-transitions';

/** Who acts, and what the command may use. */
export interface CommandActor {
  /** A worker id (`worker:<job-type>`), `system:<component>` or a person. */
  actor: string;
}

/** Dependencies every command may use. */
export interface CommandDeps {
  metrics?: FulfillmentMetrics | undefined;
  /** The time of the change (ISO-8601); default the wall clock. */
  now?: () => string;
}

/** The current time of `deps`. */
export function nowOf(deps: CommandDeps): string {
  return deps.now?.() ?? new Date().toISOString();
}

/**
 * Correlation id of everything that happens to one order (seed §20 `correlationId`, §26 log field):
 * the order id, so events, audit rows and logs of one order are found by one value.
 */
export function orderCorrelationId(orderId: string): string {
  return orderId;
}

/** Aggregate types of events and audit rows besides tasks, plans and orders. */
export const aggregateTypes = {
  order: 'Order',
  plan: 'FulfillmentPlan',
  task: 'FulfillmentTask',
  falloutCase: 'FalloutCase',
  compensation: 'Compensation',
  asset: 'InstalledBaseAsset',
} as const;

/** Inserts one outbox event in the envelope of seed §20. */
export async function emitEvent(
  tx: Tx,
  event: { eventType: string; tenantId: string; orderId: string; aggregateType: string; aggregateId: string; at: string; payload: Record<string, unknown> },
): Promise<string> {
  const eventId = randomUUID();
  await enqueueEvent(tx, {
    eventId,
    eventType: event.eventType,
    eventVersion: 1,
    occurredAt: event.at,
    tenantId: event.tenantId,
    correlationId: orderCorrelationId(event.orderId),
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    payload: { orderId: event.orderId, ...event.payload },
  });
  return eventId;
}

/** Appends one audit row. */
export async function audit(
  tx: Tx,
  entry: {
    tenantId: string;
    orderId: string;
    entityType: string;
    entityId: string;
    action: string;
    stateBefore?: string | null;
    stateAfter?: string | null;
    details?: Record<string, unknown>;
    actor: string;
    at: string;
  },
): Promise<void> {
  await insertAuditLog(tx, {
    tenantId: entry.tenantId,
    orderId: entry.orderId,
    entityType: entry.entityType,
    entityId: entry.entityId,
    action: entry.action,
    stateBefore: entry.stateBefore ?? null,
    stateAfter: entry.stateAfter ?? null,
    details: entry.details ?? {},
    actor: entry.actor,
    correlationId: orderCorrelationId(entry.orderId),
    at: entry.at,
  });
}

/** `sha256:<hex>` of a JSON value or text, for request / response / evidence hashes. */
export function contentHash(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Where a command expects the task to be. */
export interface TaskLocator {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  taskId: string;
}

/**
 * Loads one task (locked when `forUpdate`) and checks that it belongs to the order and plan the
 * caller named: a job's variables are never trusted (seed §23), so a task of another order is a
 * bug in the model or the caller, not something to act on.
 */
export async function loadTaskChecked(tx: Tx, locator: TaskLocator, forUpdate = true): Promise<StoredTask> {
  if (forUpdate) await lockPlan(tx, locator);
  const row = await selectFulfillmentTask(tx, { tenantId: locator.tenantId, taskId: locator.taskId, forUpdate });
  if (!row) throw new NotFoundError('task', locator.taskId);
  if (row.order_id !== locator.orderId || row.fulfillment_plan_id !== locator.fulfillmentPlanId) {
    throw new BugError('TASK.WRONG_ORDER', `task ${locator.taskId} belongs to order ${row.order_id} / plan ${row.fulfillment_plan_id}, not ${locator.orderId} / ${locator.fulfillmentPlanId}`, {
      ...locator,
    });
  }
  const edges = await selectPlanTaskDependencies(tx, { tenantId: locator.tenantId, fulfillmentPlanId: locator.fulfillmentPlanId });
  return storedTaskFromRow(
    row,
    edges.filter((edge) => edge.task_id === row.id).map((edge) => edge.depends_on_task_id),
  );
}

/** Takes the plan's lock (see `lockPlanRow`); a no-op when this transaction holds it already; `PLAN.NOT_FOUND` for no such plan. */
export async function lockPlan(tx: Tx, plan: { tenantId: string; fulfillmentPlanId: string; orderId?: string }): Promise<void> {
  // A plan the tenant does not have, or a plan of another order than the caller named, is not
  // found, before any command writes a row that names it.
  const [row] = await lockPlanRow(tx, [plan.tenantId, plan.fulfillmentPlanId]);
  if (!row || (plan.orderId !== undefined && row.order_id !== plan.orderId)) throw new NotFoundError('plan', plan.fulfillmentPlanId);
}

/** A task status change made by a command, for metrics after the commit. */
export interface TaskChange {
  taskType: string;
  from: FulfillmentTaskStatus;
  to: FulfillmentTaskStatus;
}

/**
 * Moves a task one or more steps through the state machine (each step audited, each with its
 * event) and returns the task as it ends. `changes` collects the moves for the metrics.
 */
export async function moveTask(
  tx: Tx,
  task: StoredTask,
  steps: readonly FulfillmentTaskStatus[],
  command: Omit<TaskTransitionCommand, 'tenantId' | 'taskId' | 'expectedVersion' | 'to' | 'correlationId'>,
  changes: TaskChange[],
): Promise<StoredTask> {
  let current = task;
  for (const to of steps) {
    const result: TaskTransitionResult = await transitionTask(tx, {
      ...command,
      tenantId: current.task.tenantId,
      taskId: current.task.taskId,
      expectedVersion: current.version,
      to,
      correlationId: orderCorrelationId(current.task.orderId),
    });
    changes.push({ taskType: current.task.taskType, from: result.previousStatus, to });
    current = result.task;
  }
  return current;
}

/** Counts the task moves of a committed command. */
export function recordTaskChanges(deps: CommandDeps, changes: readonly TaskChange[]): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  for (const change of changes) {
    const labels = { task_type: change.taskType };
    if (change.to === 'IN_PROGRESS') metrics.taskStarted.inc(labels);
    else if (change.to === 'COMPLETED') metrics.taskCompleted.inc(labels);
    else if (change.to === 'FAILED') metrics.taskFailed.inc(labels);
    else if (change.to === 'TIMED_OUT') metrics.taskTimeout.inc({ ...labels, kind: 'hard' });
    else if (change.to === 'READY' && change.from !== 'PENDING') metrics.taskRetry.inc(labels);
  }
}

/** The order is not in a state where the command may act (cancelled, ended, not yet planned). */
export class OrderStateError extends BusinessError {
  constructor(orderId: string, status: string, action: string) {
    super('ORDER.INVALID_STATE', `order ${orderId} is ${status}: cannot ${action}`, { orderId, status, action });
  }
}

/**
 * The order changed under the workflow: the process variables carry `orderVersion` (seed §5) and
 * the OMS now holds another one. Retrying cannot help; an operator decides (incident).
 */
export class StaleOrderVersionError extends BusinessError {
  constructor(orderId: string, expected: number, actual: number) {
    super('ORDER.VERSION_STALE', `order ${orderId} is at version ${actual}, the workflow runs version ${expected}`, { orderId, expected, actual });
  }
}
