/**
 * Contract of `execute-compensation-task` (seed §16): performs one compensation task (release
 * resource, cancel shipment, reverse billing activation, ...). It is the job of the compensation
 * handlers the lint rule allows on compensatable blocks, and of the compensation loop after
 * cancellation.
 */
import { z } from 'zod';
import { compensationStatuses } from '../../domain/vocabulary';
import { falloutReasonOutput, orderContextShape } from '../contract-fields';
import { defineJobContract } from '../job-contract';

/** The Zeebe job type. */
export const executeCompensationTaskJobType = 'execute-compensation-task';

/** Input variables. */
export const executeCompensationTaskInputSchema = z.object({
  ...orderContextShape,
  // A BPMN compensation handler runs in the scope of the compensated activity, where the
  // compensation task is not known yet: then the domain resolves it from the original task.
  compensationTaskId: z
    .uuid()
    .nullish()
    .meta({
      description: 'Compensation task to perform; empty in a compensation handler, where the domain finds it from the task.',
      template: { binding: 'input', label: 'Compensation task id', group: 'task', feel: 'required', value: '=compensationTaskId' },
    }),
  currentTaskId: z
    .uuid()
    .nullish()
    .meta({
      description: 'Original fulfillment task being undone, when the element compensates one task.',
      template: { binding: 'input', label: 'Compensated task id', group: 'task', feel: 'required', value: '=currentTaskId' },
    }),
});
/** Validated input of `execute-compensation-task`. */
export type ExecuteCompensationTaskInput = z.infer<typeof executeCompensationTaskInputSchema>;

/** Custom headers. */
export const executeCompensationTaskHeadersSchema = z.object({});
/** Validated headers of `execute-compensation-task`. */
export type ExecuteCompensationTaskHeaders = z.infer<typeof executeCompensationTaskHeadersSchema>;

/** Output variables: control state only (seed §5). */
export const executeCompensationTaskOutputSchema = z.object({
  compensationTaskResult: z.enum(compensationStatuses).meta({
    description: 'Status of the compensation task after this job; MANUAL_REVIEW and FAILED go to fallout.',
    template: { binding: 'output', label: 'Compensation result variable', group: 'routing' },
  }),
  falloutReason: falloutReasonOutput,
});
/** Output of `execute-compensation-task`. */
export type ExecuteCompensationTaskOutput = z.infer<typeof executeCompensationTaskOutputSchema>;

/** The `execute-compensation-task` contract. */
export const executeCompensationTaskContract = defineJobContract({
  type: executeCompensationTaskJobType,
  input: executeCompensationTaskInputSchema,
  headers: executeCompensationTaskHeadersSchema,
  output: executeCompensationTaskOutputSchema,
  template: {
    id: 'fulfillment-pack.execute-compensation-task',
    name: 'Execute compensation task',
    description: 'Performs one compensation task (undo of a completed task) through its adapter.',
    retries: 3,
    compensatable: false,
  },
});
