/**
 * Contract of `start-compensation` (seed §16, §25): asks the domain for the compensation plan of
 * the completed compensatable tasks. Tasks that never completed are not compensated; non-reversible
 * ones go to manual review.
 */
import { z } from 'zod';
import { orderContextShape } from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const startCompensationJobType = 'start-compensation';

/** Why compensation starts; the route in the model fixes it (seed §16 `CompensationReason`). */
export const compensationReasons = ['ORDER_CANCELLED', 'FALLOUT_NOT_REPAIRABLE', 'TIMEOUT_POLICY'] as const;
/** One of {@link compensationReasons}. */
export type CompensationReason = (typeof compensationReasons)[number];

/** Input variables. */
export const startCompensationInputSchema = z.object({ ...orderContextShape });
/** Validated input of `start-compensation`. */
export type StartCompensationInput = z.infer<typeof startCompensationInputSchema>;

/** Custom headers. */
export const startCompensationHeadersSchema = z.object({
  compensationReason: z.enum(compensationReasons).meta({
    description: 'Why this route compensates: cancellation, unrepairable fallout, or a timeout policy.',
    template: { binding: 'header', label: 'Compensation reason', group: 'policy', feel: 'static', value: 'ORDER_CANCELLED' },
  }),
});
/** Validated headers of `start-compensation`. */
export type StartCompensationHeaders = z.infer<typeof startCompensationHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const startCompensationOutputSchema = z.object({
  compensationPlanId: z.uuid().meta({
    description: 'Compensation plan built from the completed compensatable tasks.',
    template: { binding: 'output', label: 'Compensation plan id variable', group: 'routing' },
  }),
  compensationTaskIds: z.array(z.uuid()).meta({
    description:
      'Compensation tasks to run now, in compensation_task.sequence order (the latest completed effect first); the sequential multi-instance input collection of the compensation loop, which runs them one at a time in this order.',
    template: { binding: 'output', label: 'Compensation task ids variable', group: 'routing' },
  }),
  requiresManualReview: z.boolean().meta({
    description: 'True when a completed task is not reversible and needs a person before it is undone.',
    template: { binding: 'output', label: 'Requires manual review variable', group: 'routing' },
  }),
});
/** Output of `start-compensation`. */
export type StartCompensationOutput = z.infer<typeof startCompensationOutputSchema>;

/** The `start-compensation` contract. */
export const startCompensationContract = defineJobContract({
  type: startCompensationJobType,
  input: startCompensationInputSchema,
  headers: startCompensationHeadersSchema,
  output: startCompensationOutputSchema,
  template: {
    id: 'fulfillment-pack.start-compensation',
    name: 'Start compensation',
    description: 'Builds the compensation plan from the completed compensatable tasks and returns the tasks to run.',
    retries: 3,
    compensatable: false,
  },
});
