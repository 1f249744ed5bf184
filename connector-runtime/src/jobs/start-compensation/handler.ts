/** Handler of `start-compensation` (seed §16): the domain's compensation plan, steps in undo order. */
import { startCompensation } from '../../commands/compensation';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { startCompensationContract } from './schema';

/** Builds the handler. */
export function startCompensationHandler(deps: HandlerDeps): JobHandler<typeof startCompensationContract> {
  return async (input, context) => {
    const result = await startCompensation(
      deps.pool,
      { ...input, reason: context.headers.compensationReason, idempotencyKey: `compensation:${input.fulfillmentPlanId}:${context.headers.compensationReason}`, actor: workerActor(startCompensationContract.type) },
      deps,
    );
    return { compensationPlanId: result.compensationPlanId, compensationTaskIds: result.compensationTaskIds, requiresManualReview: result.requiresManualReview };
  };
}
