/** Handler of `execute-compensation-task` (seed §16): undoes one step (or, in a BPMN handler, the installed-base impact). */
import { executeCompensationStep } from '../../commands/compensation';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { executeCompensationTaskContract } from './schema';

/** Builds the handler. */
export function executeCompensationTaskHandler(deps: HandlerDeps): JobHandler<typeof executeCompensationTaskContract> {
  return async (input) => {
    const result = await executeCompensationStep(
      deps.pool,
      {
        tenantId: input.tenantId,
        orderId: input.orderId,
        fulfillmentPlanId: input.fulfillmentPlanId,
        compensationTaskId: input.compensationTaskId ?? null,
        actor: workerActor(executeCompensationTaskContract.type),
      },
      deps,
    );
    return { compensationTaskResult: result.compensationTaskResult, falloutReason: result.falloutReason };
  };
}
