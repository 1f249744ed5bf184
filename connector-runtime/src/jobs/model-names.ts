/**
 * Names the BPMN model, the element templates, the forms and the runtime must spell the same way:
 * message names, correlation keys and form ids. The correlation relay publishes these message
 * names; the templates offer them as dropdowns; the lint plugin receives them through the
 * generated job list. The callback messages themselves are domain words (vocabulary.ts), because
 * the catalog checks that every waiting task has one.
 */
import type { FulfillmentTaskType } from '../domain/vocabulary';

/** Process id of the pack's fulfillment model (seed §3); also its file name in bpmn/. */
export const orderFulfillmentProcessId = 'order-fulfillment-v1';

/** Published when an operator's repair command resolves a fallout case (seed §17). */
export const falloutRepairedMessageName = 'fulfillment-fallout-repaired';

/** Published when the order API accepts a cancellation (seed §25); interrupts the phases. */
export const cancelRequestedMessageName = 'order-cancel-requested';

/**
 * The correlation key of a task-level message (seed §10): `tenantId:orderId:taskId`, as FEEL over
 * the process variables. Both the templates and the correlation relay build it this way.
 */
export const taskCorrelationKeyExpression = '=tenantId + ":" + orderId + ":" + currentTaskId';

/**
 * The correlation key of an order-level message (cancel): `tenantId:orderId:fulfillmentPlanId`,
 * the business key of seed §6.
 */
export const orderCorrelationKeyExpression = '=tenantId + ":" + orderId + ":" + fulfillmentPlanId';

/** Builds the runtime value of a task-level correlation key, matching {@link taskCorrelationKeyExpression}. */
export function taskCorrelationKey(tenantId: string, orderId: string, taskId: string): string {
  return `${tenantId}:${orderId}:${taskId}`;
}

/** Builds the runtime value of an order-level correlation key, matching {@link orderCorrelationKeyExpression}. */
export function orderCorrelationKey(tenantId: string, orderId: string, fulfillmentPlanId: string): string {
  return `${tenantId}:${orderId}:${fulfillmentPlanId}`;
}

/**
 * Camunda forms of the manual user tasks (seed §13); each is `forms/<form-id>.form`. `shownFor`
 * lists the MANUAL task types the model routes to the form; the activation review is also the
 * form for any other MANUAL task, and the repair decision serves every fallout route.
 */
export const manualTaskForms = [
  { id: 'manual-activation-review', label: 'Manual activation review', shownFor: ['MANUAL_ACTIVATION_REVIEW'] },
  {
    id: 'onsite-installation-confirmation',
    label: 'On-site installation confirmation',
    shownFor: ['ONSITE_INSTALLATION_CONFIRMATION'],
  },
  { id: 'address-exception-resolution', label: 'Address exception resolution', shownFor: ['CHECK_SERVICEABILITY'] },
  { id: 'customer-appointment-confirmation', label: 'Customer appointment confirmation', shownFor: ['SCHEDULE_APPOINTMENT'] },
  { id: 'fallout-repair-decision', label: 'Fallout repair decision', shownFor: [] },
] as const satisfies readonly { id: string; label: string; shownFor: readonly FulfillmentTaskType[] }[];
/** Id of one of the {@link manualTaskForms}. */
export type ManualTaskFormId = (typeof manualTaskForms)[number]['id'];

/**
 * Process variable that holds the current task's timeout (ISO-8601 duration from its timeout
 * policy, seed §14); the timeout boundary timer reads it.
 */
export const taskTimeoutVariable = 'taskTimeout';

/**
 * What a fallout repair decided (seed §17), carried by `fulfillment-fallout-repaired` in the
 * variable {@link repairOutcomeVariable}. RETRY: the task (or, at plan level, the plan) runs
 * again; RESUME: the repair resolved the task (completed or skipped), go on; MANUAL_CLOSE: the
 * order is closed by decision; FAIL: the order ends failed with fallout. At task level only RETRY
 * changes the route: the others end the task's iteration and the domain's state decides the rest.
 */
export const falloutRepairOutcomes = ['RETRY', 'RESUME', 'MANUAL_CLOSE', 'FAIL'] as const;
/** One of {@link falloutRepairOutcomes}. */
export type FalloutRepairOutcome = (typeof falloutRepairOutcomes)[number];
/** Variable the `fulfillment-fallout-repaired` message sets. */
export const repairOutcomeVariable = 'repairOutcome';
