/**
 * Task transitions in PostgreSQL. Every change of a task's status goes through
 * {@link transitionTask}: it locks the row, applies the domain's task state machine, writes the new
 * status only if the caller's version is still current, and in the same transaction appends the
 * audit row and the outbox event (seed §20: "all task events must be emitted from outbox after task
 * state persistence"). Either all three exist afterwards or none does.
 */
import { randomUUID } from 'node:crypto';
import { BugError, ConcurrencyConflictError, NotFoundError } from '../errors';
import { tasksToPromote } from '../domain/ready-tasks';
import { transition } from '../domain/task-state-machine';
import type { FulfillmentTaskStatus } from '../domain/vocabulary';
import type { Tx } from './database';
import { enqueueEvent } from './outbox';
import { loadPlanTasks, storedTaskFromRow } from './plan-repository';
import type { StoredTask } from './plan-repository';
import { insertAuditLog } from './queries/insert-audit-log';
import { selectFulfillmentTask } from './queries/select-fulfillment-task';
import { updateFulfillmentTaskStatus } from './queries/update-fulfillment-task-status';
import { versionFromColumn } from './rows';

/** Aggregate type of task events and audit rows (seed §20). */
export const taskAggregateType = 'FulfillmentTask';

/**
 * The event each target status emits. The first five are seed §20's names; the others follow the
 * same pattern so that every transition is visible to consumers. No transition leads to PENDING.
 */
export const taskEventTypes: Readonly<Record<Exclude<FulfillmentTaskStatus, 'PENDING'>, string>> = {
  IN_PROGRESS: 'FulfillmentTaskStarted',
  COMPLETED: 'FulfillmentTaskCompleted',
  FAILED: 'FulfillmentTaskFailed',
  TIMED_OUT: 'FulfillmentTaskTimedOut',
  SKIPPED: 'FulfillmentTaskSkipped',
  READY: 'FulfillmentTaskReady',
  WAITING: 'FulfillmentTaskWaiting',
  FALLOUT: 'FulfillmentTaskFallout',
  CANCELLED: 'FulfillmentTaskCancelled',
  COMPENSATED: 'FulfillmentTaskCompensated',
};

/** The event type of a transition to `status`. */
export function taskEventTypeFor(status: FulfillmentTaskStatus): string {
  if (status === 'PENDING') {
    throw new BugError('TASK.NO_EVENT_TYPE', 'no transition leads to PENDING, so there is no event for it');
  }
  return taskEventTypes[status];
}

/** Why a task failed, timed out or fell out, as recorded on the task and in its event. */
export interface TaskFailure {
  code: string;
  message: string;
}

/** One requested task transition. */
export interface TaskTransitionCommand {
  tenantId: string;
  taskId: string;
  /** The task version the caller's decision was based on. */
  expectedVersion: number;
  to: FulfillmentTaskStatus;
  /** Who made the change: a worker id, `system:<component>`, or a person. */
  actor: string;
  correlationId: string;
  reason?: string;
  /** The person who approved a skip or a manual completion (the state machine requires it there). */
  approvedBy?: string;
  failure?: TaskFailure;
  /** When the change happened (ISO-8601); default now. */
  at?: string;
  /** Id of the outbox event; default a new UUID. A caller that retries may pass a stable one. */
  eventId?: string;
  /** Extra event payload members, e.g. `externalCorrelationId` (seed §20); the store's own win. */
  eventPayload?: Record<string, unknown>;
}

/** What a transition wrote. */
export interface TaskTransitionResult {
  task: StoredTask;
  previousStatus: FulfillmentTaskStatus;
  eventId: string;
  outboxId: string;
}

/**
 * Moves one task of a tenant to `command.to` inside `tx`:
 * 1. loads the row `for update` (another tenant's task, or an unknown one: `NotFoundError`);
 * 2. a version other than `expectedVersion`: `ConcurrencyConflictError` (`TASK.VERSION_CONFLICT`);
 * 3. applies the domain state machine (`InvalidTransitionError`, `TASK.INVALID_TRANSITION`);
 * 4. updates `where version = expectedVersion` (0 rows: `ConcurrencyConflictError`);
 * 5. appends the audit row and the outbox event.
 * Nothing is written before the checks pass; a failure after that fails the transaction, which the
 * caller rolls back (`withTransaction`), so no partial transition survives.
 */
export async function transitionTask(tx: Tx, command: TaskTransitionCommand): Promise<TaskTransitionResult> {
  const row = await selectFulfillmentTask(tx, { tenantId: command.tenantId, taskId: command.taskId, forUpdate: true });
  if (!row) throw new NotFoundError('task', command.taskId);
  // The row lock makes this read current: a concurrent writer has either committed (new version) or not started.
  if (versionFromColumn(row.version) !== command.expectedVersion) {
    throw new ConcurrencyConflictError('task', command.taskId, command.expectedVersion);
  }
  const before = storedTaskFromRow(row, []);
  const at = command.at ?? new Date().toISOString();
  const after = transition(before.task, command.to, {
    at,
    ...(command.approvedBy === undefined ? {} : { approvedBy: command.approvedBy }),
    ...(command.reason === undefined ? {} : { reason: command.reason }),
  });

  const version = await updateFulfillmentTaskStatus(tx, {
    tenantId: command.tenantId,
    taskId: command.taskId,
    expectedVersion: command.expectedVersion,
    status: after.status,
    completedAt: after.completedAt,
    at,
    failureCode: command.failure?.code ?? null,
    failureMessage: command.failure?.message ?? null,
  });
  if (version === undefined) throw new ConcurrencyConflictError('task', command.taskId, command.expectedVersion);

  const eventId = command.eventId ?? randomUUID();
  const details: Record<string, unknown> = { eventId };
  if (command.reason !== undefined) details.reason = command.reason;
  if (command.approvedBy !== undefined) details.approvedBy = command.approvedBy;
  if (command.failure !== undefined) details.failure = command.failure;
  await insertAuditLog(tx, {
    tenantId: command.tenantId,
    orderId: before.task.orderId,
    entityType: taskAggregateType,
    entityId: command.taskId,
    action: 'STATUS_CHANGED',
    stateBefore: before.task.status,
    stateAfter: after.status,
    details,
    actor: command.actor,
    correlationId: command.correlationId,
    at,
  });

  const outboxId = await enqueueEvent(tx, {
    eventId,
    eventType: taskEventTypeFor(after.status),
    eventVersion: 1,
    occurredAt: at,
    tenantId: command.tenantId,
    correlationId: command.correlationId,
    aggregateType: taskAggregateType,
    aggregateId: command.taskId,
    payload: {
      ...command.eventPayload,
      orderId: before.task.orderId,
      fulfillmentPlanId: before.task.fulfillmentPlanId,
      orderItemId: before.task.orderItemId,
      taskType: before.task.taskType,
      phase: before.task.phase,
      status: after.status,
      previousStatus: before.task.status,
      ...(command.reason === undefined ? {} : { reason: command.reason }),
      ...(command.approvedBy === undefined ? {} : { approvedBy: command.approvedBy }),
      ...(command.failure === undefined ? {} : { failure: command.failure }),
    },
  });

  return {
    task: {
      ...before,
      task: after,
      version: versionFromColumn(version),
      attemptCount: before.attemptCount + (after.status === 'IN_PROGRESS' ? 1 : 0),
      lastFailure: command.failure ?? before.lastFailure,
      startedAt: after.status === 'IN_PROGRESS' ? (before.startedAt ?? at) : before.startedAt,
    },
    previousStatus: before.task.status,
    eventId,
    outboxId,
  };
}

/** Who promotes, under which correlation id, and when. */
export interface PromotionCommand {
  tenantId: string;
  fulfillmentPlanId: string;
  actor: string;
  correlationId: string;
  /** When the promotion happened (ISO-8601); default now. */
  at?: string;
}

/**
 * After a task resolved, moves every PENDING task of the plan whose dependencies are now all
 * COMPLETED or SKIPPED to READY, each through {@link transitionTask} (so each promotion is audited
 * and emits `FulfillmentTaskReady`). Which tasks qualify is the domain's `tasksToPromote`. The plan's
 * task rows are locked in plan order first, so two promotions of one plan run one after the other
 * and the second sees the first's result. Returns the promoted task ids in plan order.
 */
export async function promotePendingTasks(tx: Tx, command: PromotionCommand): Promise<string[]> {
  const tasks = await loadPlanTasks(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId, forUpdate: true });
  const versionOf = new Map(tasks.map((stored) => [stored.task.taskId, stored.version]));
  const promoted = tasksToPromote(tasks.map((stored) => stored.task));
  const at = command.at ?? new Date().toISOString();
  for (const taskId of promoted) {
    await transitionTask(tx, {
      tenantId: command.tenantId,
      taskId,
      expectedVersion: versionOf.get(taskId)!,
      to: 'READY',
      actor: command.actor,
      correlationId: command.correlationId,
      reason: 'every dependency is COMPLETED or SKIPPED',
      at,
    });
  }
  return promoted;
}
