/**
 * Compensation planning (seed §16, §25, anti-pattern 7: compensation is not a blind reverse).
 *
 * - Only COMPLETED tasks are considered: a task that did not complete has no effect to undo.
 * - A completed task whose policy is not compensatable is left alone (a serviceability check).
 * - A compensatable task marked `reversible: false` is never undone automatically: it goes to
 *   manual review (a delivered router cannot be "un-shipped" by an API call).
 * - The others get a compensation step of their `compensationTaskType`, latest completion first,
 *   so effects are unwound in the reverse order they were built (billing before provisioning
 *   before the resource reservation).
 */
import { BugError } from '../errors';
import type { FulfillmentTask } from './fulfillment-plan';
import type { IdFactory } from './id-factory';
import { isAutomaticallyReversible } from './policies';
import { snapshotHash } from './snapshot-hash';
import { defineStateMachine } from './state-machine';
import type { TransitionRule } from './state-machine';
import { compensationStatuses } from './vocabulary';
import type { CompensationStatus, FulfillmentTaskStatus, FulfillmentTaskType } from './vocabulary';

/** The task fields compensation planning reads. */
export type CompensationCandidate = Pick<
  FulfillmentTask,
  'taskId' | 'orderItemId' | 'taskType' | 'ownerSystem' | 'status' | 'completedAt' | 'compensationPolicy' | 'dependsOn' | 'inputSnapshotHash'
>;

/** One compensation task to run, in plan order. */
export interface CompensationStep {
  compensationTaskId: string;
  /** 1 runs first. */
  sequence: number;
  compensatesTaskId: string;
  compensatedTaskType: FulfillmentTaskType;
  orderItemId: string;
  taskType: FulfillmentTaskType;
  executionMode: 'COMPENSATION';
  ownerSystem: string;
  status: 'PLANNED';
  /** Hash of what the step undoes: the original task and its input snapshot hash. */
  inputSnapshotHash: string;
}

/** A completed effect that a person must undo or accept (seed §16: non-reversible). */
export interface ManualReviewItem {
  /** Id of the compensation task row that tracks the review. */
  compensationTaskId: string;
  taskId: string;
  orderItemId: string;
  taskType: FulfillmentTaskType;
  ownerSystem: string;
  reason: 'NOT_REVERSIBLE';
  status: 'MANUAL_REVIEW';
}

/** A task that gets no compensation, and why. */
export interface CompensationExclusion {
  taskId: string;
  status: FulfillmentTaskStatus;
  reason: 'NOT_COMPLETED' | 'NOT_COMPENSATABLE' | 'ALREADY_COMPENSATED';
}

/** The compensation plan of one fulfillment plan. */
export interface CompensationPlan {
  compensationPlanId: string;
  fulfillmentPlanId: string;
  reason: string;
  /** PLANNED with steps; MANUAL_REVIEW when only people can undo; COMPLETED when nothing needs undoing. */
  status: CompensationStatus;
  steps: CompensationStep[];
  manualReview: ManualReviewItem[];
  excluded: CompensationExclusion[];
  /**
   * Tasks still IN_PROGRESS: a worker may be producing an effect right now. Starting compensation
   * before they settle would miss that effect, so callers wait for these first.
   */
  inFlightTaskIds: string[];
}

/** Options of {@link planCompensation}. */
export interface PlanCompensationOptions {
  reason: string;
  idFactory: IdFactory;
}

/** Longest dependency chain under each task: a dependent always sits deeper than what it waits for. */
function dependencyDepths(tasks: readonly CompensationCandidate[]): Map<string, number> {
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const depths = new Map<string, number>();
  const depthOf = (taskId: string, trail: Set<string>): number => {
    const known = depths.get(taskId);
    if (known !== undefined) return known;
    const task = byId.get(taskId);
    if (!task || trail.has(taskId)) return 0;
    trail.add(taskId);
    const depth = task.dependsOn.reduce((deepest, id) => Math.max(deepest, depthOf(id, trail) + 1), 0);
    trail.delete(taskId);
    depths.set(taskId, depth);
    return depth;
  };
  for (const task of tasks) depthOf(task.taskId, new Set());
  return depths;
}

/**
 * Plans the compensation of a fulfillment plan (see the module comment for the rules). The id
 * factory is called once for the compensation plan, then once per step or manual review item, in
 * undo order (latest completion first).
 */
export function planCompensation(
  plan: { fulfillmentPlanId: string; tasks: readonly CompensationCandidate[] },
  options: PlanCompensationOptions,
): CompensationPlan {
  const position = new Map(plan.tasks.map((task, index) => [task.taskId, index]));
  const depths = dependencyDepths(plan.tasks);
  const completionTime = (task: CompensationCandidate): number => {
    const time = task.completedAt === null ? Number.NaN : Date.parse(task.completedAt);
    if (Number.isNaN(time)) {
      throw new BugError('COMPENSATION.COMPLETION_TIME_MISSING', `completed task ${task.taskId} has no valid completedAt`, { taskId: task.taskId });
    }
    return time;
  };

  const excluded: CompensationExclusion[] = [];
  const completed: CompensationCandidate[] = [];
  for (const task of plan.tasks) {
    if (task.status === 'COMPENSATED') excluded.push({ taskId: task.taskId, status: task.status, reason: 'ALREADY_COMPENSATED' });
    else if (task.status !== 'COMPLETED') excluded.push({ taskId: task.taskId, status: task.status, reason: 'NOT_COMPLETED' });
    else if (!task.compensationPolicy.compensatable) excluded.push({ taskId: task.taskId, status: task.status, reason: 'NOT_COMPENSATABLE' });
    else completed.push(task);
  }
  // Same clock (the database's) for every completedAt; ties fall back to the dependency order.
  completed.sort(
    (a, b) =>
      completionTime(b) - completionTime(a) ||
      depths.get(b.taskId)! - depths.get(a.taskId)! ||
      position.get(b.taskId)! - position.get(a.taskId)!,
  );

  const compensationPlanId = options.idFactory();
  const steps: CompensationStep[] = [];
  const manualReview: ManualReviewItem[] = [];
  for (const task of completed) {
    const compensationTaskType = task.compensationPolicy.compensationTaskType;
    if (!isAutomaticallyReversible(task.compensationPolicy) || compensationTaskType === undefined) {
      manualReview.push({
        compensationTaskId: options.idFactory(),
        taskId: task.taskId,
        orderItemId: task.orderItemId,
        taskType: task.taskType,
        ownerSystem: task.ownerSystem,
        reason: 'NOT_REVERSIBLE',
        status: 'MANUAL_REVIEW',
      });
      continue;
    }
    steps.push({
      compensationTaskId: options.idFactory(),
      sequence: steps.length + 1,
      compensatesTaskId: task.taskId,
      compensatedTaskType: task.taskType,
      orderItemId: task.orderItemId,
      taskType: compensationTaskType,
      executionMode: 'COMPENSATION',
      ownerSystem: task.ownerSystem,
      status: 'PLANNED',
      inputSnapshotHash: snapshotHash({
        compensatesTaskId: task.taskId,
        compensatedInputSnapshotHash: task.inputSnapshotHash,
        taskType: compensationTaskType,
      }),
    });
  }
  return {
    compensationPlanId,
    fulfillmentPlanId: plan.fulfillmentPlanId,
    reason: options.reason,
    status: steps.length > 0 ? 'PLANNED' : manualReview.length > 0 ? 'MANUAL_REVIEW' : 'COMPLETED',
    steps,
    manualReview,
    excluded,
    inFlightTaskIds: plan.tasks.filter((task) => task.status === 'IN_PROGRESS').map((task) => task.taskId),
  };
}

/**
 * Allowed moves of a compensation plan or step:
 *
 * | from | to | why |
 * |---|---|---|
 * | PLANNED | IN_PROGRESS | the compensation worker started it |
 * | PLANNED | MANUAL_REVIEW | only a person can undo it |
 * | IN_PROGRESS | COMPLETED | the effect was undone |
 * | IN_PROGRESS | FAILED | undoing failed (seed §17: compensation failed is fallout) |
 * | FAILED | IN_PROGRESS | retry after repair |
 * | FAILED | MANUAL_REVIEW | no automatic retry left: a person takes over |
 * | MANUAL_REVIEW | COMPLETED | a person undid or accepted the effect |
 */
export const compensationTransitionRules: readonly TransitionRule<CompensationStatus>[] = [
  { from: 'PLANNED', to: 'IN_PROGRESS', why: 'the compensation worker started it' },
  { from: 'PLANNED', to: 'MANUAL_REVIEW', why: 'only a person can undo it' },
  { from: 'IN_PROGRESS', to: 'COMPLETED', why: 'the effect was undone' },
  { from: 'IN_PROGRESS', to: 'FAILED', why: 'undoing failed; a fallout case is opened' },
  { from: 'FAILED', to: 'IN_PROGRESS', why: 'retry after repair' },
  { from: 'FAILED', to: 'MANUAL_REVIEW', why: 'no automatic retry left: a person takes over' },
  { from: 'MANUAL_REVIEW', to: 'COMPLETED', why: 'a person undid or accepted the effect' },
];

/** The compensation state machine (`COMPENSATION.INVALID_TRANSITION` on an illegal move). */
export const compensationStateMachine = defineStateMachine('compensation', compensationStatuses, compensationTransitionRules);
