/** Handler of `execute-fulfillment-task` (seed §9): claims and, when synchronous, performs one task. */
import { executeFulfillmentTask } from '../../commands/task-execution';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { executeFulfillmentTaskContract } from './schema';

/** Builds the handler. */
export function executeFulfillmentTaskHandler(deps: HandlerDeps): JobHandler<typeof executeFulfillmentTaskContract> {
  return async (input, context) => {
    const step = await executeFulfillmentTask(
      deps.pool,
      { ...input, taskId: input.currentTaskId, phase: context.headers.phase, idempotencyKey: context.idempotencyKey, orderVersion: context.orderVersion, actor: workerActor(executeFulfillmentTaskContract.type) },
      deps,
    );
    return {
      currentTaskResult: step.task.task.status,
      currentTaskType: step.task.task.taskType,
      taskExecutionMode: step.task.task.executionMode,
      taskTimeout: step.taskTimeout,
      taskReminder: step.taskReminder,
      moreReadyTasks: step.moreReadyTasks,
      allRequiredTasksDone: step.allRequiredTasksDone,
      falloutReason: step.falloutReason,
      manualTaskView: step.manualTaskView,
    };
  };
}
