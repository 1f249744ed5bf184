/** Handler of `finalize-order-fulfillment` (seed §19, §30): the domain decides and records the end state. */
import { finalizeFulfillment } from '../../commands/finalize';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { finalizeOrderFulfillmentContract } from './schema';

/** Builds the handler. */
export function finalizeOrderFulfillmentHandler(deps: HandlerDeps): JobHandler<typeof finalizeOrderFulfillmentContract> {
  return async (input, context) =>
    finalizeFulfillment(deps.pool, { ...input, requestedEndState: context.headers.requestedEndState, actor: workerActor(finalizeOrderFulfillmentContract.type) }, deps);
}
