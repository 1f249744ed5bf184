/**
 * Contract of `load-fulfillment-plan` (seed §7): loads the order and its plan, initialises the
 * execution idempotently and returns the ready task group. Used once after the start event (no
 * phase header: the whole plan) and at the top of each phase loop (phase header: that phase's
 * ready tasks, docs/architecture.md §7).
 */
import { z } from 'zod';
import {
  allRequiredTasksDoneOutput,
  falloutReasonOutput,
  moreReadyTasksOutput,
  orderContextShape,
  phaseHeader,
  readyTaskIdsOutput,
} from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const loadFulfillmentPlanJobType = 'load-fulfillment-plan';

/** Input variables. */
export const loadFulfillmentPlanInputSchema = z.object({ ...orderContextShape });
/** Validated input of `load-fulfillment-plan`. */
export type LoadFulfillmentPlanInput = z.infer<typeof loadFulfillmentPlanInputSchema>;

/** Custom headers. */
export const loadFulfillmentPlanHeadersSchema = z.object({
  phase: phaseHeader.optional(),
});
/** Validated headers of `load-fulfillment-plan`. */
export type LoadFulfillmentPlanHeaders = z.infer<typeof loadFulfillmentPlanHeadersSchema>;

/** Output variables: control state only (seed §5, §7). */
export const loadFulfillmentPlanOutputSchema = z.object({
  planValid: z.boolean().meta({
    description: 'False when the plan does not belong to the order or the order is not executable; route to fallout.',
    template: { binding: 'output', label: 'Plan valid variable', group: 'routing' },
  }),
  executionId: z.uuid().meta({
    description: 'Fulfillment execution of this workflow run (seed §21); the same on every retry.',
    template: { binding: 'output', label: 'Execution id variable', group: 'routing' },
  }),
  readyTaskIds: readyTaskIdsOutput,
  moreReadyTasks: moreReadyTasksOutput,
  allRequiredTasksDone: allRequiredTasksDoneOutput,
  falloutReason: falloutReasonOutput,
});
/** Output of `load-fulfillment-plan`. */
export type LoadFulfillmentPlanOutput = z.infer<typeof loadFulfillmentPlanOutputSchema>;

/** The `load-fulfillment-plan` contract. */
export const loadFulfillmentPlanContract = defineJobContract({
  type: loadFulfillmentPlanJobType,
  input: loadFulfillmentPlanInputSchema,
  headers: loadFulfillmentPlanHeadersSchema,
  output: loadFulfillmentPlanOutputSchema,
  template: {
    id: 'fulfillment-pack.load-fulfillment-plan',
    name: 'Load fulfillment plan',
    description: 'Loads the plan, initialises the execution and returns the ready tasks (of one phase when a phase is set).',
    retries: 3,
    compensatable: false,
  },
});
