/** Handler of `open-fulfillment-fallout` (seed §17): opens (or finds again, on retry) the fallout case. */
import { BugError } from '../../errors';
import { openFulfillmentFallout } from '../../commands/fallout';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { openFulfillmentFalloutContract } from './schema';

/** Builds the handler. */
export function openFulfillmentFalloutHandler(deps: HandlerDeps): JobHandler<typeof openFulfillmentFalloutContract> {
  return async (input, context) => {
    // The model puts the task (or, for plan-level fallout, the plan id) in the task slot.
    if (!input.currentTaskId) throw new BugError('FALLOUT.NO_SUBJECT', 'open-fulfillment-fallout needs the task or plan id in currentTaskId');
    const opened = await openFulfillmentFallout(
      deps.pool,
      {
        tenantId: input.tenantId,
        orderId: input.orderId,
        fulfillmentPlanId: input.fulfillmentPlanId,
        subjectId: input.currentTaskId,
        falloutReason: input.falloutReason,
        category: context.headers.falloutCategory,
        severity: context.headers.severity,
        idempotencyKey: context.idempotencyKey,
        actor: workerActor(openFulfillmentFalloutContract.type),
      },
      deps,
    );
    return { falloutCaseId: opened.falloutCaseId, manualTaskView: opened.manualTaskView };
  };
}
