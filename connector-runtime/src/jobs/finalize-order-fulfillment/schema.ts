/**
 * Contract of `finalize-order-fulfillment` (seed §19, §30): the domain decides whether the order
 * may complete under its completion policy and records the end state with audit and event in one
 * transaction. The process only routes on the answer.
 */
import { z } from 'zod';
import { fulfillmentEndStates } from '../../domain/vocabulary';
import { falloutReasonOutput, orderContextShape } from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const finalizeOrderFulfillmentJobType = 'finalize-order-fulfillment';

/** Input variables. */
export const finalizeOrderFulfillmentInputSchema = z.object({ ...orderContextShape });
/** Validated input of `finalize-order-fulfillment`. */
export type FinalizeOrderFulfillmentInput = z.infer<typeof finalizeOrderFulfillmentInputSchema>;

/** Custom headers. */
export const finalizeOrderFulfillmentHeadersSchema = z.object({
  // The route fixes which end the process reached; the domain still checks it is allowed.
  requestedEndState: z
    .enum(fulfillmentEndStates)
    .optional()
    .meta({
      description: 'End state this route asks for (e.g. CANCELLED after cancellation); empty lets the domain decide from the plan.',
      template: { binding: 'header', label: 'Requested end state', group: 'policy', feel: 'static' },
    }),
});
/** Validated headers of `finalize-order-fulfillment`. */
export type FinalizeOrderFulfillmentHeaders = z.infer<typeof finalizeOrderFulfillmentHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const finalizeOrderFulfillmentOutputSchema = z.object({
  completionAllowed: z.boolean().meta({
    description: 'False when the completion policy refuses (e.g. billing not active); then falloutReason says why.',
    template: { binding: 'output', label: 'Completion allowed variable', group: 'routing' },
  }),
  fulfillmentEndState: z
    .enum(fulfillmentEndStates)
    .nullable()
    .meta({
      description: 'End state recorded for the order (seed §3), or null when completion was refused.',
      template: { binding: 'output', label: 'End state variable', group: 'routing' },
    }),
  falloutReason: falloutReasonOutput,
});
/** Output of `finalize-order-fulfillment`. */
export type FinalizeOrderFulfillmentOutput = z.infer<typeof finalizeOrderFulfillmentOutputSchema>;

/** The `finalize-order-fulfillment` contract. */
export const finalizeOrderFulfillmentContract = defineJobContract({
  type: finalizeOrderFulfillmentJobType,
  input: finalizeOrderFulfillmentInputSchema,
  headers: finalizeOrderFulfillmentHeadersSchema,
  output: finalizeOrderFulfillmentOutputSchema,
  template: {
    id: 'fulfillment-pack.finalize-order-fulfillment',
    name: 'Finalize order fulfillment',
    description: 'Asks the domain whether the order may complete and records its end state.',
    retries: 3,
    compensatable: false,
  },
});
