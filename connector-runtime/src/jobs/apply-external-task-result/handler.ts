/** Handler of `apply-external-task-result` (seed §10): applies the stored callback, never message variables. */
import { applyExternalTaskResult } from '../../commands/task-execution';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { applyExternalTaskResultContract } from './schema';

/** Builds the handler. */
export function applyExternalTaskResultHandler(deps: HandlerDeps): JobHandler<typeof applyExternalTaskResultContract> {
  return async (input, context) => {
    const step = await applyExternalTaskResult(
      deps.pool,
      { ...input, taskId: input.currentTaskId, phase: context.headers.phase, idempotencyKey: context.idempotencyKey, orderVersion: context.orderVersion, actor: workerActor(applyExternalTaskResultContract.type) },
      deps,
    );
    return { currentTaskResult: step.task.task.status, moreReadyTasks: step.moreReadyTasks, allRequiredTasksDone: step.allRequiredTasksDone, falloutReason: step.falloutReason };
  };
}
