/**
 * Contract of `apply-fulfillment-timeout` (seed §14): runs after a timeout boundary fired, or with
 * `timeoutKind = SOFT_REMINDER` after the non-interrupting reminder boundary fired. The
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

/**
 * Which timer of the task's timeout policy fired (seed §14): HARD is the interrupting timeout
 * boundary (the policy decides the route); SOFT_REMINDER is the non-interrupting reminder boundary
 * (the domain sends the reminder or escalation and the wait goes on).
 */
export const timeoutKinds = ['HARD', 'SOFT_REMINDER'] as const;
/** One of {@link timeoutKinds}. */
export type TimeoutKind = (typeof timeoutKinds)[number];

/** Custom headers. */
export const applyFulfillmentTimeoutHeadersSchema = z.object({
  phase: phaseHeader.optional(),
  // Optional so the elements written before the reminder existed keep meaning what they meant.
  timeoutKind: z
    .enum(timeoutKinds)
    .optional()
    .meta({
      description: 'Which timer fired: HARD (the timeout boundary; also when empty) or SOFT_REMINDER (the reminder boundary, the wait goes on).',
      template: { binding: 'header', label: 'Timeout kind', group: 'policy', feel: 'static' },
    }),
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
