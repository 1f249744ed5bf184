/** Handler of `apply-fulfillment-timeout` (seed §14): the task's timeout policy decides, the model routes. */
import { requestCancellationInTx } from '../../commands/cancel-order';
import { applyFulfillmentTimeout } from '../../commands/task-execution';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { applyFulfillmentTimeoutContract } from './schema';

/** Builds the handler. */
export function applyFulfillmentTimeoutHandler(deps: HandlerDeps): JobHandler<typeof applyFulfillmentTimeoutContract> {
  return async (input, context) => {
    const actor = workerActor(applyFulfillmentTimeoutContract.type);
    const { headers } = context;
    const step = await applyFulfillmentTimeout(
      deps.pool,
      { ...input, taskId: input.currentTaskId, phase: headers.phase, timeoutKind: headers.timeoutKind, idempotencyKey: context.idempotencyKey, orderVersion: context.orderVersion, actor },
      {
        ...deps,
        requestCancellation: async (tx, reason) => {
          await requestCancellationInTx(tx, { tenantId: input.tenantId, orderId: input.orderId, reason, actor }, deps.now?.() ?? new Date().toISOString());
        },
      },
    );
    return { currentTaskResult: step.task.task.status, timeoutAction: step.timeoutAction, falloutReason: step.falloutReason };
  };
}
