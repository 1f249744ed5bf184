/** Handler of `load-fulfillment-plan` (seed §7): the OMS load command, its answer as routing variables. */
import { loadFulfillmentPlan } from '../../commands/load-fulfillment-plan';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { loadFulfillmentPlanContract } from './schema';

/** Builds the handler. */
export function loadFulfillmentPlanHandler(deps: HandlerDeps): JobHandler<typeof loadFulfillmentPlanContract> {
  return async (input, context) => {
    const result = await loadFulfillmentPlan(
      deps.pool,
      { ...input, phase: context.headers.phase, processInstanceKey: context.processInstanceKey, orderVersion: context.orderVersion, actor: workerActor(loadFulfillmentPlanContract.type) },
      deps,
    );
    return {
      planValid: result.planValid,
      executionId: result.executionId,
      readyTaskIds: result.readyTaskIds,
      moreReadyTasks: result.moreReadyTasks,
      allRequiredTasksDone: result.allRequiredTasksDone,
      falloutReason: result.falloutReason,
    };
  };
}
