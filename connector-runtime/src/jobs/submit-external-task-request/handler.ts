/** Handler of `submit-external-task-request` (seed §10): sends the asynchronous request once per attempt. */
import { BugError } from '../../errors';
import { submitExternalTaskRequest } from '../../commands/task-execution';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { submitExternalTaskRequestContract } from './schema';

/** Builds the handler. */
export function submitExternalTaskRequestHandler(deps: HandlerDeps): JobHandler<typeof submitExternalTaskRequestContract> {
  return async (input, context) => {
    const step = await submitExternalTaskRequest(
      deps.pool,
      {
        ...input,
        taskId: input.currentTaskId,
        phase: context.headers.phase,
        ownerSystem: context.headers.ownerSystem,
        idempotencyKey: context.idempotencyKey,
        orderVersion: context.orderVersion,
        actor: workerActor(submitExternalTaskRequestContract.type),
      },
      deps,
    );
    // Every external wait has a timeout policy (seed §14); the catalog refuses a template without one.
    if (step.taskTimeout === null) throw new BugError('TASK.NO_TIMEOUT', `task ${input.currentTaskId} waits for a callback but has no timeout policy`);
    return { currentTaskResult: step.task.task.status, taskTimeout: step.taskTimeout, taskReminder: step.taskReminder, falloutReason: step.falloutReason };
  };
}
