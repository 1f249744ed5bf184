/**
 * *Manual decision* (seed §13): a person's decision on a manual task, or on a fallout case (the
 * repair-decision form), applied through the OMS task state machine. A Tasklist form reaches it
 * through `apply-manual-decision`; the order API (later) through the same function. A decision on
 * a task that is no longer waiting for one is refused (`TASK.INVALID_TRANSITION`, HTTP 409).
 *
 * | task status | decision | effect |
 * |---|---|---|
 * | WAITING (manual task) | COMPLETE | COMPLETED, evidence recorded |
 * | WAITING | FAIL | FAILED, then FALLOUT: the fallout route takes over |
 * | WAITING | ESCALATE, REQUEST_CUSTOMER_ACTION | FAILED, then FALLOUT with the reason: operations own it now |
 * | WAITING | SKIP_WITH_APPROVAL | FAILED, then SKIPPED with the approval |
 * | FALLOUT (repair decision) | RETRY / COMPLETE / SKIP_WITH_APPROVAL / FAIL | repair RETRY / RESUME completed / RESUME skipped / FAIL |
 * | FALLOUT | ESCALATE, REQUEST_CUSTOMER_ACTION | the case goes IN_REPAIR; the process waits for the repair from the OMS console |
 * | plan-level case | RETRY / COMPLETE / SKIP_WITH_APPROVAL / FAIL | repair RETRY / RESUME / MANUAL_CLOSE / FAIL |
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { InvalidTransitionError, NotFoundError } from '../errors';
import type { FulfillmentTaskStatus, ManualDecision } from '../domain/vocabulary';
import type { FalloutRepairOutcome } from '../jobs/model-names';
import { withTransaction, type Tx } from '../store/database';
import { insertEvidence, selectEvidenceOfTask, selectLatestAttempt, updateTaskAttempt } from '../store/queries/fulfillment-workflow';
import { selectFalloutCasesOfPlan, updateFalloutCase } from '../store/queries/fallout-and-compensation';
import { audit, aggregateTypes, contentHash, loadTaskChecked, moveTask, nowOf, recordTaskChanges, type CommandDeps, type TaskChange } from './command-context';
import { findOpenFalloutCase, repairFalloutInTx, type RepairFalloutCommand } from './fallout';
import { promoteAndRoute, type PlanRouting } from './plan-routing';

/** A decision as a person took it. */
export interface ManualDecisionCommand {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** The task, or the plan id for a plan-level fallout decision. */
  subjectId: string;
  decision: ManualDecision;
  reason: string;
  evidenceReference?: string | null | undefined;
  approvalReference?: string | null | undefined;
  actor: string;
  /** The job's (or the HTTP request's) idempotency key: a repeat returns the first answer. */
  idempotencyKey: string;
}

/** What the process is told. */
export interface ManualDecisionResult extends PlanRouting {
  currentTaskResult: FulfillmentTaskStatus;
  falloutReason: string | null;
}

const repairOf: Partial<Record<ManualDecision, { outcome: FalloutRepairOutcome; resolution?: 'COMPLETE' | 'SKIP' }>> = {
  RETRY: { outcome: 'RETRY' },
  COMPLETE: { outcome: 'RESUME', resolution: 'COMPLETE' },
  SKIP_WITH_APPROVAL: { outcome: 'RESUME', resolution: 'SKIP' },
  FAIL: { outcome: 'FAIL' },
};

async function escalate(tx: Tx, command: ManualDecisionCommand, caseId: string, at: string): Promise<void> {
  await updateFalloutCase(tx, [command.tenantId, caseId, 'IN_REPAIR', `${command.decision}: ${command.reason}`, command.actor]);
  await audit(tx, { tenantId: command.tenantId, orderId: command.orderId, entityType: aggregateTypes.falloutCase, entityId: caseId, action: `FALLOUT_${command.decision}`, stateAfter: 'IN_REPAIR', details: { reason: command.reason }, actor: command.actor, at });
}

/** Applies the decision (see the module comment). */
export async function applyManualDecision(pool: pg.Pool, command: ManualDecisionCommand, deps: CommandDeps = {}): Promise<ManualDecisionResult> {
  const changes: TaskChange[] = [];
  const result = await withTransaction(pool, async (tx): Promise<ManualDecisionResult> => {
    const at = nowOf(deps);
    const approvedBy = command.approvalReference ? `${command.actor} (approval ${command.approvalReference})` : undefined;
    const repair = (falloutCaseId: string, outcome: FalloutRepairOutcome, resolution?: 'COMPLETE' | 'SKIP'): RepairFalloutCommand => ({
      tenantId: command.tenantId,
      orderId: command.orderId,
      falloutCaseId,
      outcome,
      resolution,
      reason: command.reason,
      actor: command.actor,
      approvedBy: approvedBy ?? (resolution === 'COMPLETE' ? command.actor : undefined),
      evidenceReference: command.evidenceReference,
    });
    const routing = () => promoteAndRoute(tx, { ...command, at });

    if (command.subjectId === command.fulfillmentPlanId) {
      const falloutCase = await findOpenFalloutCase(tx, command);
      if (!falloutCase) {
        // A redelivered job after its decision committed finds the case already resolved: the
        // decision stands, and the answer is the same. A plan with no plan-level case at all is a bug.
        const resolved = (await selectFalloutCasesOfPlan(tx, [command.tenantId, command.fulfillmentPlanId])).filter((c) => c.fulfillment_task_id === null).at(-1);
        if (!resolved) throw new NotFoundError('open plan fallout case', command.fulfillmentPlanId);
        return { ...(await routing()), currentTaskResult: resolved.resolution?.startsWith('RETRY') ? 'READY' : 'FALLOUT', falloutReason: null };
      }
      const mapped = command.decision === 'SKIP_WITH_APPROVAL' ? { outcome: 'MANUAL_CLOSE' as const } : command.decision === 'COMPLETE' ? { outcome: 'RESUME' as const } : repairOf[command.decision];
      if (mapped) await repairFalloutInTx(tx, falloutCase, repair(falloutCase.id, mapped.outcome), at, changes);
      else await escalate(tx, command, falloutCase.id, at);
      return { ...(await routing()), currentTaskResult: mapped?.outcome === 'RETRY' ? 'READY' : 'FALLOUT', falloutReason: null };
    }

    let task = await loadTaskChecked(tx, { ...command, taskId: command.subjectId });
    const earlier = (await selectEvidenceOfTask(tx, [command.tenantId, task.task.taskId])).find(
      (row) => row.evidence_kind === 'MANUAL_DECISION' && (row.summary as { idempotencyKey?: string }).idempotencyKey === command.idempotencyKey,
    );
    if (!earlier) {
      const move = { actor: command.actor, at, reason: `${command.decision}: ${command.reason}`, ...(approvedBy ? { approvedBy } : {}) };
      if (task.task.status === 'WAITING' && task.task.executionMode === 'MANUAL') {
        if (command.decision === 'COMPLETE') task = await moveTask(tx, task, ['COMPLETED'], move, changes);
        else if (command.decision === 'SKIP_WITH_APPROVAL') task = await moveTask(tx, task, ['FAILED', 'SKIPPED'], move, changes);
        else if (command.decision === 'RETRY') throw new InvalidTransitionError('task', task.task.status, 'READY', { taskId: task.task.taskId, reason: 'a waiting manual task is completed, failed, escalated or skipped' });
        else task = await moveTask(tx, task, ['FAILED', 'FALLOUT'], { ...move, failure: { code: command.decision === 'REQUEST_CUSTOMER_ACTION' ? 'CUSTOMER_TIMEOUT' : 'MANUAL_TASK_EXPIRED', message: `${command.decision}: ${command.reason}`.slice(0, 500) } }, changes);
        // The person's decision ends the attempt the manual task started; left STARTED it would read as still running.
        const attempt = (await selectLatestAttempt(tx, [command.tenantId, task.task.taskId]))[0];
        const succeeded = command.decision === 'COMPLETE';
        if (attempt) await updateTaskAttempt(tx, [attempt.id, succeeded ? 'SUCCEEDED' : 'FAILED', null, null, succeeded ? null : `MANUAL_${command.decision}`, succeeded ? null : command.reason.slice(0, 500), at]);
      } else if (task.task.status === 'FALLOUT') {
        const falloutCase = await findOpenFalloutCase(tx, { ...command, subjectId: task.task.taskId });
        if (!falloutCase) throw new NotFoundError('open fallout case of task', task.task.taskId);
        const mapped = repairOf[command.decision];
        if (mapped) await repairFalloutInTx(tx, falloutCase, repair(falloutCase.id, mapped.outcome, mapped.resolution), at, changes);
        else await escalate(tx, command, falloutCase.id, at);
        task = await loadTaskChecked(tx, { ...command, taskId: command.subjectId });
      } else {
        throw new InvalidTransitionError('task', task.task.status, command.decision, { taskId: task.task.taskId, reason: 'the task is not waiting for a decision' });
      }
      const summary = { decision: command.decision, reason: command.reason, approvalReference: command.approvalReference ?? null, idempotencyKey: command.idempotencyKey };
      await insertEvidence(tx, [command.tenantId, randomUUID(), command.orderId, task.task.taskId, null, 'MANUAL_DECISION', 'tasklist', null, null, null, command.evidenceReference ?? null, JSON.stringify(summary), contentHash(summary), command.actor, at]);
    }
    const status = task.task.status;
    return { ...(await routing()), currentTaskResult: status, falloutReason: status === 'FALLOUT' ? `${command.decision}: ${command.reason}`.slice(0, 500) : null };
  });
  recordTaskChanges(deps, changes);
  return result;
}
