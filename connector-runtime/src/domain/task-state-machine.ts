/**
 * The fulfillment task state machine. Canonical task status lives in PostgreSQL (seed §3); every
 * change goes through {@link transition}, so a worker, a callback, a timer or an operator can only
 * make the moves in the table below.
 *
 * | from | to | why |
 * |---|---|---|
 * | PENDING | READY | every dependency is COMPLETED or SKIPPED |
 * | PENDING | CANCELLED | order cancelled before the task could start: nothing happened outside |
 * | READY | IN_PROGRESS | a worker claimed the task with an attempt and its idempotency key |
 * | READY | CANCELLED | order cancelled before any attempt: nothing happened outside |
 * | IN_PROGRESS | WAITING | the request was accepted, or a person got the task; the answer comes later |
 * | IN_PROGRESS | COMPLETED | the synchronous call succeeded and its result is persisted |
 * | IN_PROGRESS | FAILED | the attempt failed (rejected, or technical retries exhausted) |
 * | IN_PROGRESS | FALLOUT | business fallout: a fact about the order that needs repair (seed §15) |
 * | IN_PROGRESS | TIMED_OUT | the call outlived the timeout policy, or the worker vanished |
 * | WAITING | COMPLETED | the callback, event or person reported success |
 * | WAITING | FAILED | the callback reported a failure |
 * | WAITING | FALLOUT | the callback reported a business rejection |
 * | WAITING | TIMED_OUT | the timer boundary fired before an answer (seed §14) |
 * | WAITING | CANCELLED | order cancelled during the wait; the cancellation path withdraws the request |
 * | FAILED | READY | retry (policy allows another attempt, or an operator chose RETRY) |
 * | FAILED | FALLOUT | no automatic retry left: a fallout case is opened |
 * | FAILED | SKIPPED | SKIP_WITH_APPROVAL (seed §13): needs `approvedBy` |
 * | FAILED | CANCELLED | order cancelled while the task awaited a decision |
 * | TIMED_OUT | READY | onTimeout RETRY, or an operator chose RETRY |
 * | TIMED_OUT | FALLOUT | onTimeout OPEN_FALLOUT |
 * | TIMED_OUT | SKIPPED | SKIP_WITH_APPROVAL: needs `approvedBy` |
 * | TIMED_OUT | CANCELLED | onTimeout CANCEL or COMPENSATE, or order cancelled |
 * | FALLOUT | READY | fallout repaired, retry the task (seed §17 repair command) |
 * | FALLOUT | SKIPPED | repair decision SKIP_WITH_APPROVAL: needs `approvedBy` |
 * | FALLOUT | COMPLETED | repair decision COMPLETE with evidence (done in the partner system by hand): needs `approvedBy` |
 * | FALLOUT | CANCELLED | the order is cancelled or closed instead of repaired |
 * | COMPLETED | COMPENSATED | its compensation task completed (seed §16) |
 *
 * Deliberately absent:
 * - IN_PROGRESS -> CANCELLED: a worker is between its external call and its write; cancelling under
 *   it would lose an effect that may have happened. The cancellation path lets the attempt end
 *   (COMPLETED, then compensated; or FAILED / TIMED_OUT, then cancelled).
 * - READY / PENDING -> SKIPPED: skipping is a repair decision, taken on a task that hit a problem.
 * - FAILED / TIMED_OUT -> COMPLETED: a late success is not trusted without a person; it goes
 *   through fallout (FALLOUT -> COMPLETED with approval).
 * - -> PENDING from anywhere: a retry happens after the dependencies were resolved, so it is READY.
 * - SKIPPED, CANCELLED, COMPENSATED are final; COMPLETED only moves to COMPENSATED.
 */
import { BugError, InvalidTransitionError } from '../errors';
import { defineStateMachine } from './state-machine';
import type { TransitionRule } from './state-machine';
import { fulfillmentTaskStatuses } from './vocabulary';
import type { FulfillmentTaskStatus } from './vocabulary';

/** The allowed task transitions (see the table in this module's comment). */
export const taskTransitionRules: readonly TransitionRule<FulfillmentTaskStatus>[] = [
  { from: 'PENDING', to: 'READY', why: 'every dependency is COMPLETED or SKIPPED' },
  { from: 'PENDING', to: 'CANCELLED', why: 'order cancelled before the task could start: nothing happened outside' },
  { from: 'READY', to: 'IN_PROGRESS', why: 'a worker claimed the task with an attempt and its idempotency key' },
  { from: 'READY', to: 'CANCELLED', why: 'order cancelled before any attempt: nothing happened outside' },
  { from: 'IN_PROGRESS', to: 'WAITING', why: 'the request was accepted, or a person got the task; the answer comes later' },
  { from: 'IN_PROGRESS', to: 'COMPLETED', why: 'the synchronous call succeeded and its result is persisted' },
  { from: 'IN_PROGRESS', to: 'FAILED', why: 'the attempt failed (rejected, or technical retries exhausted)' },
  { from: 'IN_PROGRESS', to: 'FALLOUT', why: 'business fallout: a fact about the order that needs repair' },
  { from: 'IN_PROGRESS', to: 'TIMED_OUT', why: 'the call outlived the timeout policy, or the worker vanished' },
  { from: 'WAITING', to: 'COMPLETED', why: 'the callback, event or person reported success' },
  { from: 'WAITING', to: 'FAILED', why: 'the callback reported a failure' },
  { from: 'WAITING', to: 'FALLOUT', why: 'the callback reported a business rejection' },
  { from: 'WAITING', to: 'TIMED_OUT', why: 'the timer boundary fired before an answer' },
  { from: 'WAITING', to: 'CANCELLED', why: 'order cancelled during the wait; the cancellation path withdraws the request' },
  { from: 'FAILED', to: 'READY', why: 'retry: the policy allows another attempt, or an operator chose RETRY' },
  { from: 'FAILED', to: 'FALLOUT', why: 'no automatic retry left: a fallout case is opened' },
  { from: 'FAILED', to: 'SKIPPED', why: 'skipped with approval (SKIP_WITH_APPROVAL)' },
  { from: 'FAILED', to: 'CANCELLED', why: 'order cancelled while the task awaited a decision' },
  { from: 'TIMED_OUT', to: 'READY', why: 'onTimeout RETRY, or an operator chose RETRY' },
  { from: 'TIMED_OUT', to: 'FALLOUT', why: 'onTimeout OPEN_FALLOUT' },
  { from: 'TIMED_OUT', to: 'SKIPPED', why: 'skipped with approval (SKIP_WITH_APPROVAL)' },
  { from: 'TIMED_OUT', to: 'CANCELLED', why: 'onTimeout CANCEL or COMPENSATE, or order cancelled' },
  { from: 'FALLOUT', to: 'READY', why: 'fallout repaired: retry the task' },
  { from: 'FALLOUT', to: 'SKIPPED', why: 'repair decision: skipped with approval' },
  { from: 'FALLOUT', to: 'COMPLETED', why: 'repair decision: completed by hand, with evidence and approval' },
  { from: 'FALLOUT', to: 'CANCELLED', why: 'the order is cancelled or closed instead of repaired' },
  { from: 'COMPLETED', to: 'COMPENSATED', why: 'its compensation task completed' },
];

/** The task state machine (`TASK.INVALID_TRANSITION` on an illegal move). */
export const taskStateMachine = defineStateMachine('task', fulfillmentTaskStatuses, taskTransitionRules);

/** Statuses that resolve a dependency: the dependent task may start. */
export const dependencyResolvingStatuses: readonly FulfillmentTaskStatus[] = ['COMPLETED', 'SKIPPED'];

/** Statuses in which a task waits for a decision (retry, skip, fallout, cancel). */
export const decisionPendingStatuses: readonly FulfillmentTaskStatus[] = ['FAILED', 'TIMED_OUT', 'FALLOUT'];

/** What the caller knows about the move: when, who approved it, why. */
export interface TaskTransitionContext {
  /** ISO-8601 timestamp of the change (the domain has no clock of its own). */
  at: string;
  /** The person who approved a skip or a manual completion. */
  approvedBy?: string;
  reason?: string;
}

/** The fields a task transition reads and writes. */
export interface TransitionableTask {
  taskId: string;
  status: FulfillmentTaskStatus;
  completedAt: string | null;
}

/** Moves that a person must approve (seed §13 SKIP_WITH_APPROVAL, §17 repair). */
function needsApproval(from: FulfillmentTaskStatus, to: FulfillmentTaskStatus): boolean {
  return to === 'SKIPPED' || (from === 'FALLOUT' && to === 'COMPLETED');
}

/**
 * Returns the task in status `to`, or throws `InvalidTransitionError` (`TASK.INVALID_TRANSITION`)
 * when the table does not allow the move or an approval it needs is missing. Reaching COMPLETED
 * records `completedAt`, which compensation uses to undo in reverse completion order.
 */
export function transition<T extends TransitionableTask>(task: T, to: FulfillmentTaskStatus, context: TaskTransitionContext): T {
  if (Number.isNaN(Date.parse(context.at))) {
    throw new BugError('TASK.TRANSITION_TIME_INVALID', `transition time "${context.at}" is not an ISO-8601 timestamp`, { taskId: task.taskId });
  }
  taskStateMachine.assertTransition(task.status, to, { taskId: task.taskId });
  if (needsApproval(task.status, to) && !context.approvedBy?.trim()) {
    throw new InvalidTransitionError('task', task.status, to, { taskId: task.taskId, missing: 'approvedBy' });
  }
  return { ...task, status: to, completedAt: to === 'COMPLETED' ? context.at : task.completedAt };
}
