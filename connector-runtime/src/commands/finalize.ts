/**
 * *Finalize* (seed §19, §30): the domain decides the end state, the process only routes on it.
 *
 * - A fallout case closed by a person's decision ends the order as decided: FAILED_WITH_FALLOUT
 *   (repair FAIL) or MANUAL_CLOSED (repair MANUAL_CLOSE).
 * - A cancelled order ends CANCELLED (nothing to undo) or COMPENSATED (its effects were undone);
 *   a failed or unreviewed compensation refuses, so the plan-level fallout takes it.
 * - Otherwise the order completes only when every required task reached a valid terminal state,
 *   every required external effect is evidenced, the asset impact of every item is applied, and the
 *   billing tasks satisfy the order's completion policy (`isOrderCompletionAllowed`). The final
 *   transition of order, plan and execution, their audit rows and the order's event are written in
 *   this one transaction — the core invariant of seed §30.
 *
 * A refusal changes nothing and says why (its reason starts with the blocker code, which the
 * plan-level fallout uses as its category).
 */
import type pg from 'pg';
import { isOrderCompletionAllowed } from '../domain/completion-policy';
import { fulfillmentEndStates, type FulfillmentEndState } from '../domain/vocabulary';
import { partnerSystemOf } from '../adapters/partner-adapter';
import { withTransaction, type Tx } from '../store/database';
import { loadOrder, orderAggregateType, updateOrderStatus } from '../store/order-repository';
import { loadPlan, updatePlanStatus, type StoredPlan } from '../store/plan-repository';
import { selectAppliedItemsOfOrder } from '../store/queries/installed-base';
import { selectFalloutCasesOfPlan, selectLatestCompensation, selectCompensationTasks } from '../store/queries/fallout-and-compensation';
import { endExecution, endWorkflowRef, selectEvidenceOfTask, selectExecutionForUpdate, selectOrderTimes } from '../store/queries/fulfillment-workflow';
import { selectOrder } from '../store/queries/select-order';
import { emitEvent, lockPlan, nowOf, type CommandDeps } from './command-context';

/** What finalize needs. */
export interface FinalizeCommand {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** The end the route asks for; the domain still decides. */
  requestedEndState?: FulfillmentEndState | undefined;
  actor: string;
}

/** The decision. */
export interface FinalizeResult {
  completionAllowed: boolean;
  fulfillmentEndState: FulfillmentEndState | null;
  falloutReason: string | null;
}

const workflowRefStatus: Record<FulfillmentEndState, string> = {
  COMPLETED: 'COMPLETED',
  PARTIALLY_COMPLETED: 'COMPLETED',
  MANUAL_CLOSED: 'COMPLETED',
  CANCELLED: 'CANCELLED',
  COMPENSATED: 'CANCELLED',
  FAILED_WITH_FALLOUT: 'FAILED',
};

const endEvent: Record<FulfillmentEndState, string> = {
  COMPLETED: 'OrderFulfillmentCompleted',
  PARTIALLY_COMPLETED: 'OrderFulfillmentCompleted',
  FAILED_WITH_FALLOUT: 'OrderFulfillmentFailed',
  CANCELLED: 'OrderFulfillmentCancelled',
  COMPENSATED: 'OrderFulfillmentCancelled',
  MANUAL_CLOSED: 'OrderFulfillmentClosed',
};

/** Evidence kinds that prove an effect happened. */
const effectEvidence = ['PARTNER_RESPONSE', 'CALLBACK', 'MANUAL_DECISION', 'ASSET_IMPACT'];

async function missingEvidence(tx: Tx, stored: StoredPlan): Promise<string[]> {
  const missing: string[] = [];
  for (const task of stored.plan.tasks) {
    if (!task.required || task.status !== 'COMPLETED') continue;
    const evidenced = task.ownerSystem === 'installed-base' || task.executionMode === 'MANUAL' || partnerSystemOf(task.ownerSystem) !== undefined;
    if (!evidenced) continue;
    const evidence = await selectEvidenceOfTask(tx, [task.tenantId, task.taskId]);
    if (!evidence.some((row) => effectEvidence.includes(row.evidence_kind))) missing.push(`${task.taskType} ${task.taskId}`);
  }
  return missing;
}

/** Decides the end state without writing anything. */
async function decide(tx: Tx, command: FinalizeCommand, stored: StoredPlan, orderStatus: string): Promise<FinalizeResult> {
  const refuse = (reason: string): FinalizeResult => ({ completionAllowed: false, fulfillmentEndState: null, falloutReason: reason.slice(0, 500) });
  // A person's closing decision on a fallout case ends the order as decided, whatever else is open
  // (a delivered router that a cancellation cannot undo is closed by decision, for one).
  const cases = await selectFalloutCasesOfPlan(tx, [command.tenantId, command.fulfillmentPlanId]);
  const closed = cases.filter((c) => c.status === 'CLOSED').at(-1);
  if (closed?.resolution?.startsWith('FAIL')) return { completionAllowed: true, fulfillmentEndState: 'FAILED_WITH_FALLOUT', falloutReason: closed.reason.slice(0, 500) };
  if (closed?.resolution?.startsWith('MANUAL_CLOSE')) return { completionAllowed: true, fulfillmentEndState: 'MANUAL_CLOSED', falloutReason: null };
  if (orderStatus === 'CANCEL_REQUESTED') {
    const compensation = (await selectLatestCompensation(tx, [command.tenantId, command.fulfillmentPlanId]))[0];
    if (!compensation) return { completionAllowed: true, fulfillmentEndState: 'CANCELLED', falloutReason: null };
    const steps = await selectCompensationTasks(tx, [command.tenantId, compensation.id]);
    const failed = steps.filter((step) => step.status === 'FAILED');
    if (failed.length > 0) return refuse(`COMPENSATION_FAILED: ${failed.length} compensation step(s) failed`);
    const review = steps.filter((step) => step.manual_review && step.status !== 'COMPLETED');
    if (review.length > 0) return refuse(`COMPENSATION_MANUAL_REVIEW: ${review.length} non-reversible effect(s) need a person`);
    if (steps.some((step) => step.status !== 'COMPLETED')) return refuse('COMPENSATION_NOT_DONE: compensation steps are still open');
    return { completionAllowed: true, fulfillmentEndState: steps.length > 0 ? 'COMPENSATED' : 'CANCELLED', falloutReason: null };
  }

  const order = await loadOrder(tx, command);
  const applied = new Set((await selectAppliedItemsOfOrder(tx, [command.tenantId, command.orderId])).map((row) => row.order_item_id));
  const decision = isOrderCompletionAllowed({
    completionPolicy: stored.plan.completionPolicy,
    planStatus: stored.plan.status,
    tasks: stored.plan.tasks,
    assetImpact: order.items.every((item) => applied.has(item.orderItemId)) ? 'APPLIED' : 'NOT_APPLIED',
  });
  if (!decision.allowed) return refuse(decision.blockers.map((blocker) => `${blocker.code}: ${blocker.message}`).join('; '));
  const missing = await missingEvidence(tx, stored);
  if (missing.length > 0) return refuse(`EFFECT_NOT_EVIDENCED: no evidence for ${missing.join(', ')}`);
  return { completionAllowed: true, fulfillmentEndState: decision.endState, falloutReason: null };
}

/** Runs *finalize* (see the module comment). */
export async function finalizeFulfillment(pool: pg.Pool, command: FinalizeCommand, deps: CommandDeps = {}): Promise<FinalizeResult> {
  let ended: { endState: FulfillmentEndState; createdAt: Date } | undefined;
  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    await lockPlan(tx, command);
    const orderRow = await selectOrder(tx, { tenantId: command.tenantId, orderId: command.orderId, forUpdate: true });
    const status = orderRow?.status ?? '';
    if ((fulfillmentEndStates as readonly string[]).includes(status)) {
      return { completionAllowed: true, fulfillmentEndState: status as FulfillmentEndState, falloutReason: null };
    }
    const execution = (await selectExecutionForUpdate(tx, [command.tenantId, command.orderId, command.fulfillmentPlanId]))[0];
    const stored = await loadPlan(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId });
    const decision = await decide(tx, command, stored, status);
    if (!decision.completionAllowed || decision.fulfillmentEndState === null) return decision;
    const endState = decision.fulfillmentEndState;

    await updateOrderStatus(tx, { tenantId: command.tenantId, orderId: command.orderId, expectedVersion: Number(orderRow!.version), to: endState, actor: command.actor, correlationId: command.orderId, reason: `fulfillment ended ${endState}`, at });
    const planTarget = stored.plan.status === 'CREATED' && (endState === 'CANCELLED' || endState === 'COMPENSATED') ? 'CANCELLED' : endState;
    if (stored.plan.status !== planTarget) {
      await updatePlanStatus(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId, expectedVersion: stored.version, to: planTarget, actor: command.actor, correlationId: command.orderId, at });
    }
    if (execution) await endExecution(tx, [execution.id, endState, at]);
    await endWorkflowRef(tx, [command.tenantId, command.orderId, command.fulfillmentPlanId, workflowRefStatus[endState], at, decision.falloutReason]);
    await emitEvent(tx, {
      eventType: endEvent[endState],
      tenantId: command.tenantId,
      orderId: command.orderId,
      aggregateType: orderAggregateType,
      aggregateId: command.orderId,
      at,
      payload: { fulfillmentPlanId: command.fulfillmentPlanId, executionId: execution?.id ?? null, status: endState, ...(decision.falloutReason ? { reason: decision.falloutReason } : {}) },
    });
    const times = (await selectOrderTimes(tx, [command.tenantId, command.orderId]))[0]!;
    ended = { endState, createdAt: times.created_at };
    return decision;
  });
  if (ended) {
    deps.metrics?.processCompleted.inc({ tenant_id: command.tenantId, end_state: ended.endState });
    deps.metrics?.orderCompletionDuration.observe({ end_state: ended.endState }, Math.max(0, (Date.now() - ended.createdAt.getTime()) / 1000));
  }
  return result;
}
