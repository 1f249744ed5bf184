/**
 * Contract of `open-fulfillment-fallout` (seed §17): opens (or finds, on retry) the fallout case of
 * a task or of the plan. The process then waits for `fulfillment-fallout-repaired`; repair itself
 * is a domain command, never a variable edit.
 */
import { z } from 'zod';
import { falloutCategories, falloutSeverities } from '../../domain/vocabulary';
import { falloutReasonMaxLength, orderContextShape, phaseHeader } from '../contract-fields';
import { defineJobContract } from '../job-contract';
import { manualTaskViewOutput } from '../manual-task-view';

/** The Zeebe job type. */
export const openFulfillmentFalloutJobType = 'open-fulfillment-fallout';

/** Input variables. */
export const openFulfillmentFalloutInputSchema = z.object({
  ...orderContextShape,
  // Plan-level fallout (invalid plan, installed-base conflict) has no current task.
  currentTaskId: z
    .uuid()
    .nullish()
    .meta({
      description: 'Task that went to fallout; empty for plan-level fallout.',
      template: { binding: 'input', label: 'Fulfillment task id', group: 'task', feel: 'required', value: '=currentTaskId' },
    }),
  falloutReason: z
    .string()
    .max(falloutReasonMaxLength)
    .nullish()
    .meta({
      description: 'Short reason returned by the job that detected the fallout.',
      template: { binding: 'input', label: 'Fallout reason', group: 'task', feel: 'required', value: '=falloutReason' },
    }),
});
/** Validated input of `open-fulfillment-fallout`. */
export type OpenFulfillmentFalloutInput = z.infer<typeof openFulfillmentFalloutInputSchema>;

/** Custom headers. */
export const openFulfillmentFalloutHeadersSchema = z.object({
  falloutCategory: z
    .enum(falloutCategories)
    .optional()
    .meta({
      description: 'Category of the case when this route always means one cause; otherwise the domain derives it from the task.',
      template: { binding: 'header', label: 'Fallout category', group: 'policy', feel: 'static' },
    }),
  severity: z
    .enum(falloutSeverities)
    .optional()
    .meta({
      description: 'Severity of the case; otherwise the domain derives it from the customer impact.',
      template: { binding: 'header', label: 'Severity', group: 'policy', feel: 'static' },
    }),
  phase: phaseHeader.optional(),
});
/** Validated headers of `open-fulfillment-fallout`. */
export type OpenFulfillmentFalloutHeaders = z.infer<typeof openFulfillmentFalloutHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const openFulfillmentFalloutOutputSchema = z.object({
  falloutCaseId: z.uuid().meta({
    description: 'Fallout case opened (or found again on retry) for this route.',
    template: { binding: 'output', label: 'Fallout case id variable', group: 'routing' },
  }),
  // The repair-decision form shows the case through the same view as a manual task.
  manualTaskView: manualTaskViewOutput,
});
/** Output of `open-fulfillment-fallout`. */
export type OpenFulfillmentFalloutOutput = z.infer<typeof openFulfillmentFalloutOutputSchema>;

/** The `open-fulfillment-fallout` contract. */
export const openFulfillmentFalloutContract = defineJobContract({
  type: openFulfillmentFalloutJobType,
  input: openFulfillmentFalloutInputSchema,
  headers: openFulfillmentFalloutHeadersSchema,
  output: openFulfillmentFalloutOutputSchema,
  template: {
    id: 'fulfillment-pack.open-fulfillment-fallout',
    name: 'Open fulfillment fallout',
    description: 'Opens the fallout case; follow it with a fallout-repaired catch (optionally after a repair-decision user task) so the route waits for repair.',
    retries: 3,
    compensatable: false,
  },
});
