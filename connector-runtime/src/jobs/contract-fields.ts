/**
 * Fields that several job contracts share, each with its template metadata. Keeping them here
 * makes the same variable look the same (label, group, FEEL mode) on every block.
 */
import { z } from 'zod';
import { isoDurationSchema } from '../domain/duration';
import { fulfillmentPhases, fulfillmentTaskStatuses, fulfillmentTaskTypes, taskExecutionModes } from '../domain/vocabulary';
import { externalSystems } from '../domain/vocabulary';

/** Longest fallout reason carried in a process variable; the full story lives in the fallout case. */
export const falloutReasonMaxLength = 500;

// Ids come from the domain, so the block hides them: an analyst has no reason to remap them.
/** Tenant of the order (seed §5); hidden input `=tenantId`. */
export const tenantIdInput = z
  .string()
  .min(1)
  .max(64)
  .meta({
    description: 'Tenant of the order; every domain query filters by it.',
    template: { binding: 'input', label: 'Tenant id', group: 'context', editable: false },
  });

/** Order id; hidden input `=orderId`. */
export const orderIdInput = z.uuid().meta({
  description: 'Order being fulfilled.',
  template: { binding: 'input', label: 'Order id', group: 'context', editable: false },
});

/** Fulfillment plan id; hidden input `=fulfillmentPlanId`. */
export const fulfillmentPlanIdInput = z.uuid().meta({
  description: 'Fulfillment plan of the order (seed §2).',
  template: { binding: 'input', label: 'Fulfillment plan id', group: 'context', editable: false },
});

/**
 * The task this element works on. Editable because inside a multi-instance body the analyst may
 * name a different input element.
 */
export const currentTaskIdInput = z.uuid().meta({
  description: 'Fulfillment task this element acts on; inside the phase loop the multi-instance input element.',
  template: { binding: 'input', label: 'Fulfillment task id', group: 'task', feel: 'required', value: '=currentTaskId' },
});

/** Phase header: which phase subprocess the element sits in (docs/architecture.md §7). */
export const phaseHeader = z.enum(fulfillmentPhases).meta({
  description: 'Phase subprocess this element belongs to; logs, metrics and ready-task loading use it.',
  template: { binding: 'header', label: 'Phase', group: 'task', feel: 'static' },
});

/**
 * Owner-system header: the external system an asynchronous task talks to. Optional: in the phase
 * loop the task's plan entry names its system; a model that pins one system per element sets it,
 * and the handler then refuses a task of another system.
 */
export const ownerSystemHeader = z.enum(externalSystems).meta({
  description: "External system that owns the request; empty in the phase loop, where the task's plan entry names it.",
  template: { binding: 'header', label: 'Owner system', group: 'task', feel: 'static' },
});

/** Status of the current task after the job (seed §9 `currentTaskResult`). */
export const currentTaskResultOutput = z.enum(fulfillmentTaskStatuses).meta({
  description: 'Status of the fulfillment task after this job; gateways route on it (FALLOUT goes to the fallout route).',
  template: { binding: 'output', label: 'Task result variable', group: 'routing' },
});

/** Whether the phase has more ready tasks (the loop condition of docs/architecture.md §7). */
export const moreReadyTasksOutput = z.boolean().meta({
  description: 'True while the phase still has ready tasks; the phase loop repeats on it.',
  template: { binding: 'output', label: 'More ready tasks variable', group: 'routing' },
});

/** Whether every required task of the plan is done. */
export const allRequiredTasksDoneOutput = z.boolean().meta({
  description: 'True when every required task of the plan is completed or skipped.',
  template: { binding: 'output', label: 'All required tasks done variable', group: 'routing' },
});

/** Short fallout reason, or null (seed §15). */
export const falloutReasonOutput = z
  .string()
  .max(falloutReasonMaxLength)
  .nullable()
  .meta({
    description: 'Short reason when the task went to fallout, else null; details are in the fallout case.',
    template: { binding: 'output', label: 'Fallout reason variable', group: 'routing' },
  });

/** Ready task ids of the phase: the multi-instance input collection. */
export const readyTaskIdsOutput = z.array(z.uuid()).meta({
  description: 'Ids of the tasks ready to run now; the multi-instance input collection of the phase loop.',
  template: { binding: 'output', label: 'Ready task ids variable', group: 'routing' },
});

/** Type of the current task (seed §5 `currentTaskType`). */
export const currentTaskTypeOutput = z.enum(fulfillmentTaskTypes).meta({
  description: 'Type of the current task (seed §8).',
  template: { binding: 'output', label: 'Task type variable', group: 'routing' },
});

/** The timeout from the task's policy, read by the timeout boundary timer (seed §14). */
export const taskTimeoutOutput = isoDurationSchema.nullable().meta({
  description: 'ISO-8601 duration from the task timeout policy; the timeout boundary timer reads it. Null when the task has no timeout.',
  template: { binding: 'output', label: 'Task timeout variable', group: 'routing' },
});

/** Execution mode of the current task (seed §5, §8); the phase loop routes on it. */
export const taskExecutionModeOutput = z.enum(taskExecutionModes).meta({
  description: 'Execution mode of the current task: sync service task, async submit + callback, manual user task or wait-only catch.',
  template: { binding: 'output', label: 'Execution mode variable', group: 'routing' },
});

/** The three ids every job needs to load its domain state (seed §5). */
export const orderContextShape = {
  tenantId: tenantIdInput,
  orderId: orderIdInput,
  fulfillmentPlanId: fulfillmentPlanIdInput,
};

/** The order context plus the task the element acts on. */
export const taskContextShape = {
  ...orderContextShape,
  currentTaskId: currentTaskIdInput,
};
