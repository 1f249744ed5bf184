/**
 * Contract of `apply-external-task-result` (seed §10): after the callback message resumed the
 * process, applies the stored callback result to the task. The result is read from the callback
 * evidence in PostgreSQL, never from message variables (seed §23: never trust variables blindly).
 */
import { z } from 'zod';
import {
  allRequiredTasksDoneOutput,
  currentTaskResultOutput,
  falloutReasonOutput,
  moreReadyTasksOutput,
  ownerSystemHeader,
  phaseHeader,
  taskContextShape,
} from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const applyExternalTaskResultJobType = 'apply-external-task-result';

/** Input variables. */
export const applyExternalTaskResultInputSchema = z.object({ ...taskContextShape });
/** Validated input of `apply-external-task-result`. */
export type ApplyExternalTaskResultInput = z.infer<typeof applyExternalTaskResultInputSchema>;

/** Custom headers. */
export const applyExternalTaskResultHeadersSchema = z.object({
  ownerSystem: ownerSystemHeader.optional(),
  phase: phaseHeader.optional(),
});
/** Validated headers of `apply-external-task-result`. */
export type ApplyExternalTaskResultHeaders = z.infer<typeof applyExternalTaskResultHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const applyExternalTaskResultOutputSchema = z.object({
  currentTaskResult: currentTaskResultOutput,
  moreReadyTasks: moreReadyTasksOutput,
  allRequiredTasksDone: allRequiredTasksDoneOutput,
  falloutReason: falloutReasonOutput,
});
/** Output of `apply-external-task-result`. */
export type ApplyExternalTaskResultOutput = z.infer<typeof applyExternalTaskResultOutputSchema>;

/** The `apply-external-task-result` contract. */
export const applyExternalTaskResultContract = defineJobContract({
  type: applyExternalTaskResultJobType,
  input: applyExternalTaskResultInputSchema,
  headers: applyExternalTaskResultHeadersSchema,
  output: applyExternalTaskResultOutputSchema,
  template: {
    id: 'fulfillment-pack.apply-external-task-result',
    name: 'Apply external task result',
    description: 'Applies the stored callback result of an asynchronous task after its message arrived.',
    retries: 3,
    compensatable: false,
  },
});
