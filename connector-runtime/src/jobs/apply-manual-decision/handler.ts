/**
 * Handler of `apply-manual-decision` (seed §13): the form's submission becomes the OMS manual
 * decision command, so completing a user task never bypasses the task state machine.
 */
import { applyManualDecision } from '../../commands/manual-decision';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { applyManualDecisionContract } from './schema';

/** Builds the handler. */
export function applyManualDecisionHandler(deps: HandlerDeps): JobHandler<typeof applyManualDecisionContract> {
  return async (input, context) => {
    const result = await applyManualDecision(
      deps.pool,
      {
        tenantId: input.tenantId,
        orderId: input.orderId,
        fulfillmentPlanId: input.fulfillmentPlanId,
        subjectId: input.currentTaskId,
        decision: input.decision,
        reason: input.reason,
        evidenceReference: input.evidenceReference || null,
        approvalReference: input.approvalReference || null,
        actor: workerActor(applyManualDecisionContract.type),
        idempotencyKey: context.idempotencyKey,
      },
      deps,
    );
    return { currentTaskResult: result.currentTaskResult, moreReadyTasks: result.moreReadyTasks, allRequiredTasksDone: result.allRequiredTasksDone, falloutReason: result.falloutReason };
  };
}
