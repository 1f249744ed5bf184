/**
 * May the order be completed now, and in which end state? (seed §19, §30). The finalize worker asks
 * this instead of a gateway deciding from process variables.
 *
 * An order completes when every required task reached a valid terminal state (COMPLETED, or SKIPPED
 * with approval), asset impact was applied without a version conflict, and the billing tasks
 * satisfy the order's completion policy:
 *
 * | policy | billing task states that allow completion | end state |
 * |---|---|---|
 * | COMPLETION_REQUIRES_BILLING_ACTIVE | active (COMPLETED / SKIPPED) | COMPLETED |
 * | COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED | active, or accepted (WAITING for activation) | COMPLETED, or PARTIALLY_COMPLETED while any is only accepted |
 * | COMPLETION_ALLOWS_BILLING_PENDING | active, accepted or not yet requested (PENDING / READY / IN_PROGRESS) | COMPLETED, or PARTIALLY_COMPLETED while any is not active |
 *
 * A failed billing task (FAILED, TIMED_OUT, FALLOUT, CANCELLED, COMPENSATED) blocks completion under
 * every policy: "pending" is explicit and allowed by policy, "failed" never is. PARTIALLY_COMPLETED
 * makes the outstanding billing visible; the plan moves on to COMPLETED when billing is active.
 */
import type { FulfillmentTask } from './fulfillment-plan';
import type { CompletionPolicy, FulfillmentPlanStatus, FulfillmentTaskStatus, FulfillmentTaskType } from './vocabulary';

/** Task types that activate or stop billing: the ones a completion policy governs. */
export const billingTaskTypes: readonly FulfillmentTaskType[] = ['ACTIVATE_BILLING', 'DEACTIVATE_BILLING'];

/** Outcome of the installed-base update for the order (seed §18). */
export const assetImpactStates = ['APPLIED', 'NOT_REQUIRED', 'NOT_APPLIED', 'VERSION_CONFLICT'] as const;
/** See {@link assetImpactStates}. */
export type AssetImpactState = (typeof assetImpactStates)[number];

/** What the decision reads. */
export interface CompletionInput {
  completionPolicy: CompletionPolicy;
  planStatus: FulfillmentPlanStatus;
  tasks: readonly Pick<FulfillmentTask, 'taskId' | 'taskType' | 'status' | 'required'>[];
  assetImpact: AssetImpactState;
  cancellationRequested?: boolean;
}

/** Codes of {@link CompletionBlocker}. */
export const completionBlockerCodes = [
  'PLAN_NOT_ACTIVE',
  'CANCELLATION_REQUESTED',
  'REQUIRED_TASK_NOT_DONE',
  'BILLING_FAILED',
  'BILLING_NOT_ACTIVE',
  'BILLING_REQUEST_NOT_ACCEPTED',
  'ASSET_IMPACT_NOT_APPLIED',
  'ASSET_VERSION_CONFLICT',
] as const;
/** See {@link completionBlockerCodes}. */
export type CompletionBlockerCode = (typeof completionBlockerCodes)[number];

/** One reason the order may not complete yet. */
export interface CompletionBlocker {
  code: CompletionBlockerCode;
  taskIds: string[];
  message: string;
}

/** The decision: allowed with an end state, or refused with every blocker. */
export type CompletionDecision =
  | { allowed: true; endState: 'COMPLETED' | 'PARTIALLY_COMPLETED'; reason: string; outstandingBillingTaskIds: string[] }
  | { allowed: false; endState: null; reason: string; blockers: CompletionBlocker[] };

type BillingState = 'ACTIVE' | 'ACCEPTED' | 'NOT_REQUESTED' | 'FAILED';

function billingState(status: FulfillmentTaskStatus): BillingState {
  switch (status) {
    case 'COMPLETED':
    case 'SKIPPED':
      return 'ACTIVE';
    case 'WAITING':
      return 'ACCEPTED';
    case 'PENDING':
    case 'READY':
    case 'IN_PROGRESS':
      return 'NOT_REQUESTED';
    default:
      return 'FAILED';
  }
}

const acceptedStatesByPolicy: Record<CompletionPolicy, readonly BillingState[]> = {
  COMPLETION_REQUIRES_BILLING_ACTIVE: ['ACTIVE'],
  COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: ['ACTIVE', 'ACCEPTED'],
  COMPLETION_ALLOWS_BILLING_PENDING: ['ACTIVE', 'ACCEPTED', 'NOT_REQUESTED'],
};

/** Decides whether the order may complete now (see the module comment for the rules). */
export function isOrderCompletionAllowed(input: CompletionInput): CompletionDecision {
  const blockers: CompletionBlocker[] = [];
  if (input.planStatus !== 'IN_PROGRESS' && input.planStatus !== 'PARTIALLY_COMPLETED') {
    blockers.push({ code: 'PLAN_NOT_ACTIVE', taskIds: [], message: `the plan is ${input.planStatus}` });
  }
  if (input.cancellationRequested) {
    blockers.push({ code: 'CANCELLATION_REQUESTED', taskIds: [], message: 'cancellation was requested' });
  }
  // Once partially completed, the only move left is to full completion, so billing must be active.
  const policy: CompletionPolicy = input.planStatus === 'PARTIALLY_COMPLETED' ? 'COMPLETION_REQUIRES_BILLING_ACTIVE' : input.completionPolicy;

  const required = input.tasks.filter((task) => task.required);
  const billing = required.filter((task) => billingTaskTypes.includes(task.taskType));
  const undone = required.filter((task) => !billingTaskTypes.includes(task.taskType) && task.status !== 'COMPLETED' && task.status !== 'SKIPPED');
  if (undone.length > 0) {
    blockers.push({
      code: 'REQUIRED_TASK_NOT_DONE',
      taskIds: undone.map((task) => task.taskId),
      message: `required tasks not done: ${undone.map((task) => `${task.taskId} (${task.taskType} ${task.status})`).join(', ')}`,
    });
  }

  const byState = (state: BillingState): string[] => billing.filter((task) => billingState(task.status) === state).map((task) => task.taskId);
  const failed = byState('FAILED');
  if (failed.length > 0) {
    blockers.push({ code: 'BILLING_FAILED', taskIds: failed, message: `billing failed: ${failed.join(', ')}` });
  }
  const accepted = acceptedStatesByPolicy[policy];
  const notAccepted = billing.filter((task) => {
    const state = billingState(task.status);
    return state !== 'FAILED' && !accepted.includes(state);
  });
  if (notAccepted.length > 0) {
    // Only the two REQUIRES policies can get here: ALLOWS_BILLING_PENDING accepts every non-failed state.
    blockers.push({
      code: policy === 'COMPLETION_REQUIRES_BILLING_ACTIVE' ? 'BILLING_NOT_ACTIVE' : 'BILLING_REQUEST_NOT_ACCEPTED',
      taskIds: notAccepted.map((task) => task.taskId),
      message: `${policy} but billing is ${notAccepted.map((task) => `${task.status} for ${task.taskId}`).join(', ')}`,
    });
  }

  if (input.assetImpact === 'NOT_APPLIED') {
    blockers.push({ code: 'ASSET_IMPACT_NOT_APPLIED', taskIds: [], message: 'asset impact was not applied to the installed base' });
  } else if (input.assetImpact === 'VERSION_CONFLICT') {
    blockers.push({ code: 'ASSET_VERSION_CONFLICT', taskIds: [], message: 'asset version conflict: finalization stops (seed §18)' });
  }

  if (blockers.length > 0) {
    return { allowed: false, endState: null, reason: blockers.map((blocker) => blocker.message).join('; '), blockers };
  }
  const outstanding = billing.filter((task) => billingState(task.status) !== 'ACTIVE').map((task) => task.taskId);
  return outstanding.length === 0
    ? { allowed: true, endState: 'COMPLETED', reason: 'every required task done, billing active, asset impact applied', outstandingBillingTaskIds: [] }
    : {
        allowed: true,
        endState: 'PARTIALLY_COMPLETED',
        reason: `${policy} allows completion with billing outstanding: ${outstanding.join(', ')}`,
        outstandingBillingTaskIds: outstanding,
      };
}
