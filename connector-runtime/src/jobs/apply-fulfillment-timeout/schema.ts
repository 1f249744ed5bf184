/**
 * Contract of `apply-fulfillment-timeout` (seed §14): runs after a timeout boundary fired. The
 * domain locks the task, checks it still waits, records timeout evidence and applies the task's
 * timeout policy; the process routes on the returned action, because a timeout is not always a
 * cancel (seed §28).
 */
import { z } from 'zod';
import { timeoutActions } from '../../domain/vocabulary';
import { currentTaskResultOutput, falloutReasonOutput, phaseHeader, taskContextShape } from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const applyFulfillmentTimeoutJobType = 'apply-fulfillment-timeout';

/** Input variables. */
export const applyFulfillmentTimeoutInputSchema = z.object({ ...taskContextShape });
/** Validated input of `apply-fulfillment-timeout`. */
export type ApplyFulfillmentTimeoutInput = z.infer<typeof applyFulfillmentTimeoutInputSchema>;

/** Custom headers. */
export const applyFulfillmentTimeoutHeadersSchema = z.object({
  phase: phaseHeader.optional(),
});
/** Validated headers of `apply-fulfillment-timeout`. */
export type ApplyFulfillmentTimeoutHeaders = z.infer<typeof applyFulfillmentTimeoutHeadersSchema>;

/** Output variables: control state only (seed §5, §14). */
export const applyFulfillmentTimeoutOutputSchema = z.object({
  currentTaskResult: currentTaskResultOutput,
  timeoutAction: z.enum(timeoutActions).meta({
    description: "What the task's timeout policy decided (remind, escalate, open fallout, retry, compensate, cancel).",
    template: { binding: 'output', label: 'Timeout action variable', group: 'routing' },
  }),
  falloutReason: falloutReasonOutput,
});
/** Output of `apply-fulfillment-timeout`. */
export type ApplyFulfillmentTimeoutOutput = z.infer<typeof applyFulfillmentTimeoutOutputSchema>;

/** The `apply-fulfillment-timeout` contract. */
export const applyFulfillmentTimeoutContract = defineJobContract({
  type: applyFulfillmentTimeoutJobType,
  input: applyFulfillmentTimeoutInputSchema,
  headers: applyFulfillmentTimeoutHeadersSchema,
  output: applyFulfillmentTimeoutOutputSchema,
  template: {
    id: 'fulfillment-pack.apply-fulfillment-timeout',
    name: 'Apply fulfillment timeout',
    description: "Applies the task's timeout policy after its timeout boundary fired and returns the action to route on.",
    retries: 3,
    compensatable: false,
  },
});
