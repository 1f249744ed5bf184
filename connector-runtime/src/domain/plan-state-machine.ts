/**
 * The fulfillment plan state machine. A plan's end states are the fulfillment end states of seed §3;
 * which one a finished plan takes is decided by `completion-policy.ts`, not by the process model.
 *
 * | from | to | why |
 * |---|---|---|
 * | CREATED | IN_PROGRESS | the workflow started executing the plan |
 * | CREATED | CANCELLED | order cancelled before execution: nothing to undo |
 * | IN_PROGRESS | COMPLETED | every required task done, billing per policy, asset impact applied |
 * | IN_PROGRESS | PARTIALLY_COMPLETED | completion allowed with billing still outstanding (seed §19) |
 * | IN_PROGRESS | FAILED_WITH_FALLOUT | fallout that cannot be repaired within the order |
 * | IN_PROGRESS | CANCELLED | cancelled with no completed effect to undo |
 * | IN_PROGRESS | COMPENSATED | cancelled or failed, and every completed effect was undone |
 * | IN_PROGRESS | MANUAL_CLOSED | an operator closed a stuck plan by decision |
 * | PARTIALLY_COMPLETED | COMPLETED | the outstanding billing activation arrived |
 * | PARTIALLY_COMPLETED | MANUAL_CLOSED | an operator closed it with billing still outstanding |
 * | FAILED_WITH_FALLOUT | COMPENSATED | the completed effects were undone after the failure |
 * | FAILED_WITH_FALLOUT | MANUAL_CLOSED | an operator closed the failed plan by decision |
 *
 * COMPLETED, CANCELLED, COMPENSATED and MANUAL_CLOSED are final: a later change to the order is a
 * new order version with a new plan.
 */
import { defineStateMachine } from './state-machine';
import type { TransitionRule } from './state-machine';
import { fulfillmentPlanStatuses } from './vocabulary';
import type { FulfillmentPlanStatus } from './vocabulary';

/** The allowed plan transitions (see the table in this module's comment). */
export const planTransitionRules: readonly TransitionRule<FulfillmentPlanStatus>[] = [
  { from: 'CREATED', to: 'IN_PROGRESS', why: 'the workflow started executing the plan' },
  { from: 'CREATED', to: 'CANCELLED', why: 'order cancelled before execution: nothing to undo' },
  { from: 'IN_PROGRESS', to: 'COMPLETED', why: 'every required task done, billing per policy, asset impact applied' },
  { from: 'IN_PROGRESS', to: 'PARTIALLY_COMPLETED', why: 'completion allowed with billing still outstanding' },
  { from: 'IN_PROGRESS', to: 'FAILED_WITH_FALLOUT', why: 'fallout that cannot be repaired within the order' },
  { from: 'IN_PROGRESS', to: 'CANCELLED', why: 'cancelled with no completed effect to undo' },
  { from: 'IN_PROGRESS', to: 'COMPENSATED', why: 'cancelled or failed, and every completed effect was undone' },
  { from: 'IN_PROGRESS', to: 'MANUAL_CLOSED', why: 'an operator closed a stuck plan by decision' },
  { from: 'PARTIALLY_COMPLETED', to: 'COMPLETED', why: 'the outstanding billing activation arrived' },
  { from: 'PARTIALLY_COMPLETED', to: 'MANUAL_CLOSED', why: 'an operator closed it with billing still outstanding' },
  { from: 'FAILED_WITH_FALLOUT', to: 'COMPENSATED', why: 'the completed effects were undone after the failure' },
  { from: 'FAILED_WITH_FALLOUT', to: 'MANUAL_CLOSED', why: 'an operator closed the failed plan by decision' },
];

/** The plan state machine (`PLAN.INVALID_TRANSITION` on an illegal move). */
export const planStateMachine = defineStateMachine('plan', fulfillmentPlanStatuses, planTransitionRules);

/** Returns the plan in status `to`, or throws `InvalidTransitionError` (`PLAN.INVALID_TRANSITION`). */
export function transitionPlan<P extends { fulfillmentPlanId: string; status: FulfillmentPlanStatus }>(plan: P, to: FulfillmentPlanStatus): P {
  planStateMachine.assertTransition(plan.status, to, { fulfillmentPlanId: plan.fulfillmentPlanId });
  return { ...plan, status: to };
}
