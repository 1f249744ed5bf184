/**
 * The routing flags the phase loop reads after every step (seed §5, §7, docs/architecture.md §7): promote the
 * tasks whose dependencies just resolved, then report the ready tasks of the phase, whether any is
 * ready and whether every required task of the plan is done. Always computed from the OMS, never
 * from variables.
 */
import { allRequiredTasksDone, readyTasks } from '../domain/ready-tasks';
import type { FulfillmentPhase } from '../domain/vocabulary';
import type { Tx } from '../store/database';
import { loadPlanTasks } from '../store/plan-repository';
import { promotePendingTasks } from '../store/task-transitions';

/** The flags of one routing step. */
export interface PlanRouting {
  readyTaskIds: string[];
  moreReadyTasks: boolean;
  allRequiredTasksDone: boolean;
}

/** Promotes what became ready (whole plan) and reports the flags for `phase` (or the whole plan). */
export async function promoteAndRoute(
  tx: Tx,
  params: { tenantId: string; orderId: string; fulfillmentPlanId: string; phase?: FulfillmentPhase | undefined; actor: string; at: string; promote?: boolean },
): Promise<PlanRouting> {
  if (params.promote !== false) {
    await promotePendingTasks(tx, {
      tenantId: params.tenantId,
      fulfillmentPlanId: params.fulfillmentPlanId,
      actor: params.actor,
      correlationId: params.orderId,
      at: params.at,
    });
  }
  const tasks = (await loadPlanTasks(tx, { tenantId: params.tenantId, fulfillmentPlanId: params.fulfillmentPlanId })).map((stored) => stored.task);
  const ready = readyTasks(tasks, params.phase === undefined ? {} : { phase: params.phase });
  return {
    readyTaskIds: ready.map((task) => task.taskId),
    moreReadyTasks: ready.length > 0,
    allRequiredTasksDone: allRequiredTasksDone(tasks),
  };
}
