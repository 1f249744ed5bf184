/**
 * Every job type with its handler: what `runtime.ts` starts a worker for. A test checks that each
 * registered contract has exactly one handler here.
 */
import type { JobContract } from './job-contract';
import type { JobHandler } from '../engine/job-adapter';
import type { HandlerDeps } from './handler-deps';
import { applyExternalTaskResultHandler } from './apply-external-task-result/handler';
import { applyExternalTaskResultContract } from './apply-external-task-result/schema';
import { applyFulfillmentTimeoutHandler } from './apply-fulfillment-timeout/handler';
import { applyFulfillmentTimeoutContract } from './apply-fulfillment-timeout/schema';
import { applyInstalledBaseImpactHandler } from './apply-installed-base-impact/handler';
import { applyInstalledBaseImpactContract } from './apply-installed-base-impact/schema';
import { applyManualDecisionHandler } from './apply-manual-decision/handler';
import { applyManualDecisionContract } from './apply-manual-decision/schema';
import { executeCompensationTaskHandler } from './execute-compensation-task/handler';
import { executeCompensationTaskContract } from './execute-compensation-task/schema';
import { executeFulfillmentTaskHandler } from './execute-fulfillment-task/handler';
import { executeFulfillmentTaskContract } from './execute-fulfillment-task/schema';
import { finalizeOrderFulfillmentHandler } from './finalize-order-fulfillment/handler';
import { finalizeOrderFulfillmentContract } from './finalize-order-fulfillment/schema';
import { loadFulfillmentPlanHandler } from './load-fulfillment-plan/handler';
import { loadFulfillmentPlanContract } from './load-fulfillment-plan/schema';
import { openFulfillmentFalloutHandler } from './open-fulfillment-fallout/handler';
import { openFulfillmentFalloutContract } from './open-fulfillment-fallout/schema';
import { startCompensationHandler } from './start-compensation/handler';
import { startCompensationContract } from './start-compensation/schema';
import { submitExternalTaskRequestHandler } from './submit-external-task-request/handler';
import { submitExternalTaskRequestContract } from './submit-external-task-request/schema';

/** A contract with its handler, ready for a worker. */
export interface JobBinding {
  contract: JobContract;
  handler: JobHandler<JobContract>;
}

function bind<C extends JobContract>(contract: C, handler: JobHandler<C>): JobBinding {
  return { contract, handler: handler as unknown as JobHandler<JobContract> };
}

/** The handlers of every job type, built on `deps`. */
export function jobBindings(deps: HandlerDeps): JobBinding[] {
  return [
    bind(loadFulfillmentPlanContract, loadFulfillmentPlanHandler(deps)),
    bind(executeFulfillmentTaskContract, executeFulfillmentTaskHandler(deps)),
    bind(submitExternalTaskRequestContract, submitExternalTaskRequestHandler(deps)),
    bind(applyExternalTaskResultContract, applyExternalTaskResultHandler(deps)),
    bind(applyManualDecisionContract, applyManualDecisionHandler(deps)),
    bind(applyFulfillmentTimeoutContract, applyFulfillmentTimeoutHandler(deps)),
    bind(openFulfillmentFalloutContract, openFulfillmentFalloutHandler(deps)),
    bind(startCompensationContract, startCompensationHandler(deps)),
    bind(executeCompensationTaskContract, executeCompensationTaskHandler(deps)),
    bind(applyInstalledBaseImpactContract, applyInstalledBaseImpactHandler(deps)),
    bind(finalizeOrderFulfillmentContract, finalizeOrderFulfillmentHandler(deps)),
  ];
}
