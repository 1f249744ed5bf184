/**
 * The fallout case state machine (seed §17). A case is a business-operational work item: someone
 * takes it, repairs through a domain command, and it is closed; it is never fixed by editing rows
 * or process variables.
 *
 * | from | to | why |
 * |---|---|---|
 * | OPEN | IN_REPAIR | an operator took the case |
 * | OPEN | REPAIRED | a repair command was applied straight away (e.g. an automatic retry succeeded) |
 * | OPEN | CLOSED | closed without repair: the order was cancelled or closed by decision |
 * | IN_REPAIR | OPEN | the operator released the case back to the queue |
 * | IN_REPAIR | REPAIRED | the repair command (retry, skip, complete) was applied |
 * | IN_REPAIR | CLOSED | closed without repair by decision |
 * | REPAIRED | CLOSED | the process picked up the repair (`fulfillment-fallout-repaired` correlated) |
 *
 * A repair that does not hold (the retried task fails again) opens a new case rather than reopening
 * this one, so each case keeps the evidence of one failure.
 */
import { defineStateMachine } from './state-machine';
import type { TransitionRule } from './state-machine';
import { falloutCaseStatuses } from './vocabulary';
import type { FalloutCaseStatus } from './vocabulary';

/** The allowed fallout case transitions (see the table in this module's comment). */
export const falloutCaseTransitionRules: readonly TransitionRule<FalloutCaseStatus>[] = [
  { from: 'OPEN', to: 'IN_REPAIR', why: 'an operator took the case' },
  { from: 'OPEN', to: 'REPAIRED', why: 'a repair command was applied straight away' },
  { from: 'OPEN', to: 'CLOSED', why: 'closed without repair: the order was cancelled or closed by decision' },
  { from: 'IN_REPAIR', to: 'OPEN', why: 'the operator released the case back to the queue' },
  { from: 'IN_REPAIR', to: 'REPAIRED', why: 'the repair command was applied' },
  { from: 'IN_REPAIR', to: 'CLOSED', why: 'closed without repair by decision' },
  { from: 'REPAIRED', to: 'CLOSED', why: 'the process picked up the repair' },
];

/** The fallout case state machine (`FALLOUT_CASE.INVALID_TRANSITION` on an illegal move). */
export const falloutCaseStateMachine = defineStateMachine('fallout_case', falloutCaseStatuses, falloutCaseTransitionRules);

/** Returns the case in status `to`, or throws `InvalidTransitionError` (`FALLOUT_CASE.INVALID_TRANSITION`). */
export function transitionFalloutCase<C extends { falloutCaseId: string; status: FalloutCaseStatus }>(falloutCase: C, to: FalloutCaseStatus): C {
  falloutCaseStateMachine.assertTransition(falloutCase.status, to, { falloutCaseId: falloutCase.falloutCaseId });
  return { ...falloutCase, status: to };
}
