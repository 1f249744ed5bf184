/**
 * Contract of `submit-external-task-request` (seed §10): sends an asynchronous request to the owner
 * system with an external idempotency key, stores the external call attempt as SUBMITTED, and
 * hands the process the timeout to wait for the callback.
 */
import { z } from 'zod';
import { isoDurationSchema } from '../../domain/duration';
import { currentTaskResultOutput, falloutReasonOutput, ownerSystemHeader, phaseHeader, taskContextShape } from '../contract-fields';
import { taskReminderOutput } from '../execute-fulfillment-task/schema';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const submitExternalTaskRequestJobType = 'submit-external-task-request';

/** Input variables. */
export const submitExternalTaskRequestInputSchema = z.object({ ...taskContextShape });
/** Validated input of `submit-external-task-request`. */
export type SubmitExternalTaskRequestInput = z.infer<typeof submitExternalTaskRequestInputSchema>;

/** Custom headers. */
export const submitExternalTaskRequestHeadersSchema = z.object({
  ownerSystem: ownerSystemHeader.optional(),
  phase: phaseHeader.optional(),
});
/** Validated headers of `submit-external-task-request`. */
export type SubmitExternalTaskRequestHeaders = z.infer<typeof submitExternalTaskRequestHeadersSchema>;

/** Output variables: control state only (seed §5, §10). */
export const submitExternalTaskRequestOutputSchema = z.object({
  currentTaskResult: currentTaskResultOutput,
  // Every external wait has a timeout policy (seed §14), so unlike the sync task this is never null.
  taskTimeout: isoDurationSchema.meta({
    description: 'ISO-8601 duration to wait for the callback, from the task timeout policy; the timeout boundary reads it.',
    template: { binding: 'output', label: 'Task timeout variable', group: 'routing' },
  }),
  taskReminder: taskReminderOutput,
  falloutReason: falloutReasonOutput,
});
/** Output of `submit-external-task-request`. */
export type SubmitExternalTaskRequestOutput = z.infer<typeof submitExternalTaskRequestOutputSchema>;

/** The `submit-external-task-request` contract. */
export const submitExternalTaskRequestContract = defineJobContract({
  type: submitExternalTaskRequestJobType,
  input: submitExternalTaskRequestInputSchema,
  headers: submitExternalTaskRequestHeadersSchema,
  output: submitExternalTaskRequestOutputSchema,
  template: {
    id: 'fulfillment-pack.submit-external-task-request',
    name: 'Submit external task request',
    description: 'Submits an asynchronous request to the owner system; follow it with an await-callback catch.',
    retries: 5,
    compensatable: true,
  },
});
