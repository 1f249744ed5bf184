/**
 * Contract of `execute-fulfillment-task` (seed §9): claims one ready task. An AUTOMATED_SYNC task
 * is performed at once; for the other modes the task is started and the result tells the phase
 * loop where to route (async submit, manual user task, wait-only catch) and how long to wait.
 */
import { z } from 'zod';
import { isoDurationSchema } from '../../domain/duration';
import {
  allRequiredTasksDoneOutput,
  currentTaskResultOutput,
  currentTaskTypeOutput,
  falloutReasonOutput,
  moreReadyTasksOutput,
  phaseHeader,
  taskContextShape,
  taskExecutionModeOutput,
  taskTimeoutOutput,
} from '../contract-fields';
import { defineJobContract } from '../job-contract';
import { manualTaskViewOutput } from '../manual-task-view';

/** The Zeebe job type. */
export const executeFulfillmentTaskJobType = 'execute-fulfillment-task';

/** Input variables. */
export const executeFulfillmentTaskInputSchema = z.object({ ...taskContextShape });
/** Validated input of `execute-fulfillment-task`. */
export type ExecuteFulfillmentTaskInput = z.infer<typeof executeFulfillmentTaskInputSchema>;

/** Custom headers. */
export const executeFulfillmentTaskHeadersSchema = z.object({
  phase: phaseHeader.optional(),
});
/** Validated headers of `execute-fulfillment-task`. */
export type ExecuteFulfillmentTaskHeaders = z.infer<typeof executeFulfillmentTaskHeadersSchema>;

/**
 * When the soft reminder of the task's timeout policy fires (seed §14: soft timeout = remind or
 * escalate, keep waiting): the timeout minus `softReminderBefore`, so the non-interrupting
 * reminder boundary can count from the start of the wait as the timeout boundary does.
 */
export const taskReminderOutput = isoDurationSchema.nullable().meta({
  description:
    'After this long in the wait the soft reminder fires: the task timeout minus softReminderBefore of its timeout policy; null when the policy has none. The reminder boundary timer reads it.',
  template: { binding: 'output', label: 'Task reminder variable', group: 'routing' },
});

/** Output variables: control state only (seed §5, §9). */
export const executeFulfillmentTaskOutputSchema = z.object({
  currentTaskResult: currentTaskResultOutput,
  currentTaskType: currentTaskTypeOutput,
  taskExecutionMode: taskExecutionModeOutput,
  taskTimeout: taskTimeoutOutput,
  taskReminder: taskReminderOutput,
  moreReadyTasks: moreReadyTasksOutput,
  allRequiredTasksDone: allRequiredTasksDoneOutput,
  falloutReason: falloutReasonOutput,
  manualTaskView: manualTaskViewOutput,
});
/** Output of `execute-fulfillment-task`. */
export type ExecuteFulfillmentTaskOutput = z.infer<typeof executeFulfillmentTaskOutputSchema>;

/** The `execute-fulfillment-task` contract. */
export const executeFulfillmentTaskContract = defineJobContract({
  type: executeFulfillmentTaskJobType,
  input: executeFulfillmentTaskInputSchema,
  headers: executeFulfillmentTaskHeadersSchema,
  output: executeFulfillmentTaskOutputSchema,
  template: {
    id: 'fulfillment-pack.execute-fulfillment-task',
    name: 'Execute fulfillment task',
    description: 'Claims a ready fulfillment task, performs it when synchronous, and returns its routing (mode, timeout, reminder, result).',
    retries: 3,
    compensatable: true,
  },
});
