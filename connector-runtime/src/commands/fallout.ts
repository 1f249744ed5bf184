/**
 * Fallout (seed §17): *open fallout* records a business-operational work item for a task (or for
 * the plan: an invalid plan, an installed-base conflict, a refused completion), and *repair
 * fallout* is the only way out of it — a domain command with state checks and audit (anti-pattern
 * 8: never edit rows or process variables). A repair ends with `FulfillmentFalloutRepaired` and a
 * `fulfillment-fallout-repaired` message for the waiting process, keyed `tenantId:orderId:<task or
 * plan id>` and carrying `repairOutcome` (docs/decisions/0002).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BusinessError, InvalidTransitionError, NotFoundError } from '../errors';
import { falloutCategories, type FalloutCategory, type FalloutSeverity, type FulfillmentTaskStatus, type ManualDecision } from '../domain/vocabulary';
import { falloutRepairedMessageName, taskCorrelationKey, type FalloutRepairOutcome } from '../jobs/model-names';
import type { ManualTaskView } from '../jobs/manual-task-view';
import { withTransaction, type Tx } from '../store/database';
import { requestMessageCorrelation } from '../store/message-correlations';
import { loadOrder } from '../store/order-repository';
import { loadPlan, type StoredTask } from '../store/plan-repository';
import { insertFalloutCase, selectFalloutCaseForUpdate, selectOpenFalloutCase, updateFalloutCase, type FalloutCaseRow } from '../store/queries/fallout-and-compensation';
import { selectEvidenceOfTask, selectExternalCallsOfTask, selectWorkflowRef } from '../store/queries/fulfillment-workflow';
import { aggregateTypes, audit, emitEvent, loadTaskChecked, moveTask, nowOf, recordTaskChanges, type CommandDeps, type TaskChange } from './command-context';
import { buildManualTaskView } from './task-view';

/** How long a repair message waits in the engine for the process to reach its catch. */
export const repairMessageTtlMs = 7 * 24 * 3600_000;

/** Decisions offered on a fallout case (seed §13 subset that repair supports). */
export const falloutRepairActions: ManualDecision[] = ['RETRY', 'SKIP_WITH_APPROVAL', 'COMPLETE', 'FAIL', 'ESCALATE'];

/** What opening a fallout case needs. */
export interface OpenFalloutCommand {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** The task, or the plan id for a plan-level case (docs/decisions/0002). */
  subjectId: string;
  falloutReason?: string | null | undefined;
  category?: FalloutCategory | undefined;
  severity?: FalloutSeverity | undefined;
  /** The job's idempotency key: a retried job finds the case it opened. */
  idempotencyKey: string;
  actor: string;
}

function isCategory(code: string | null | undefined): code is FalloutCategory {
  return code !== null && code !== undefined && (falloutCategories as readonly string[]).includes(code);
}

/**
 * The category of a plan-level case from the reason the detecting step gave: finalize and the
 * installed-base step start their reasons with a code (`ASSET_VERSION_CONFLICT: ...`).
 */
export function planFalloutCategory(reason: string | null | undefined): FalloutCategory {
  const text = reason ?? '';
  if (/^(ASSET_VERSION_CONFLICT|INSTALLED_BASE_CONFLICT|ASSET_IMPACT)/.test(text)) return 'INSTALLED_BASE_CONFLICT';
  if (/^BILLING_/.test(text)) return 'BILLING_ACTIVATION_REJECTED';
  if (/^COMPENSATION_/.test(text)) return 'COMPENSATION_FAILED';
  return 'INVALID_DECOMPOSITION_DATA';
}

/** `open-fulfillment-fallout`: opens (or finds again) the case and builds the repair view. */
export async function openFulfillmentFallout(pool: pg.Pool, command: OpenFalloutCommand, deps: CommandDeps = {}): Promise<{ falloutCaseId: string; manualTaskView: ManualTaskView; opened: boolean; category: string }> {
  return withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    const order = await loadOrder(tx, command);
    const planLevel = command.subjectId === command.fulfillmentPlanId;
    const task = planLevel ? undefined : await loadTaskChecked(tx, { ...command, taskId: command.subjectId });
    if (!planLevel) await loadPlan(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId });
    const calls = task ? await selectExternalCallsOfTask(tx, [command.tenantId, task.task.taskId]) : [];
    const evidence = task ? await selectEvidenceOfTask(tx, [command.tenantId, task.task.taskId]) : [];
    const lastCode = task?.lastFailure.code;
    const category: FalloutCategory =
      command.category ?? (isCategory(lastCode) ? lastCode : planLevel ? planFalloutCategory(command.falloutReason) : 'EXTERNAL_SYSTEM_REJECTED');
    const severity: FalloutSeverity = command.severity ?? (planLevel || task?.task.required ? 'HIGH' : 'MEDIUM');
    const reason = (command.falloutReason ?? task?.lastFailure.message ?? 'fallout').slice(0, 2000);
    const [row] = await insertFalloutCase(tx, [
      command.tenantId,
      randomUUID(),
      command.orderId,
      task?.task.orderItemId ?? null,
      command.fulfillmentPlanId,
      task?.task.taskId ?? null,
      command.idempotencyKey,
      category,
      severity,
      reason,
      task ? (task.task.required ? 'The customer waits for this step' : 'Optional step; the order may complete without it') : 'The whole order is blocked',
      true,
      true,
      JSON.stringify(['RETRY', 'SKIP_WITH_APPROVAL', 'MANUAL_CLOSE', 'FAIL']),
      task?.task.ownerSystem ?? 'oms',
      calls[0]?.external_correlation_id ?? null,
      evidence[0]?.evidence_hash ?? null,
    ]);
    if (row!.inserted) {
      await audit(tx, { tenantId: command.tenantId, orderId: command.orderId, entityType: aggregateTypes.falloutCase, entityId: row!.id, action: 'FALLOUT_OPENED', stateAfter: 'OPEN', details: { category, severity, reason, taskId: task?.task.taskId ?? null }, actor: command.actor, at });
      await emitEvent(tx, {
        eventType: 'FulfillmentFalloutOpened',
        tenantId: command.tenantId,
        orderId: command.orderId,
        aggregateType: aggregateTypes.falloutCase,
        aggregateId: row!.id,
        at,
        payload: { fulfillmentPlanId: command.fulfillmentPlanId, fulfillmentTaskId: task?.task.taskId ?? null, category, severity, reason, status: 'OPEN' },
      });
    }
    const subjectTask = task?.task ?? {
      ...(await loadPlan(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId })).plan.tasks[0]!,
      taskId: command.fulfillmentPlanId,
      dependsOn: [],
    };
    const manualTaskView = await buildManualTaskView(tx, {
      order,
      task: subjectTask,
      attemptCount: task?.attemptCount ?? 0,
      allowedActions: falloutRepairActions,
      falloutReason: `${category}: ${reason}`,
    });
    if (planLevel) manualTaskView.taskDetails = `Plan-level fallout ${category}: ${reason}`.slice(0, 500);
    if (row!.inserted) deps.metrics?.processFallout.inc({ tenant_id: command.tenantId, category });
    return { falloutCaseId: row!.id, manualTaskView, opened: row!.inserted, category };
  });
}

/** What a repair decides (seed §17), see `falloutRepairOutcomes`. */
export interface RepairFalloutCommand {
  tenantId: string;
  orderId: string;
  falloutCaseId: string;
  outcome: FalloutRepairOutcome;
  /** With RESUME on a task case: how the task was resolved by hand. */
  resolution?: 'COMPLETE' | 'SKIP' | undefined;
  reason: string;
  actor: string;
  /** Who approved a skip or a completion by hand (required for those). */
  approvedBy?: string | undefined;
  evidenceReference?: string | null | undefined;
}

/** The case is already repaired or closed. */
export class FalloutAlreadyResolvedError extends BusinessError {
  constructor(id: string, status: string) {
    super('FALLOUT.ALREADY_RESOLVED', `fallout case ${id} is ${status}`, { falloutCaseId: id, status });
  }
}

const retryableStatuses: FulfillmentTaskStatus[] = ['FALLOUT', 'FAILED', 'TIMED_OUT'];

/** Repairs the case inside `tx`; used by the repair command and by a repair decision. */
export async function repairFalloutInTx(tx: Tx, falloutCase: FalloutCaseRow, command: RepairFalloutCommand, at: string, changes: TaskChange[]): Promise<void> {
  if (falloutCase.status !== 'OPEN' && falloutCase.status !== 'IN_REPAIR') throw new FalloutAlreadyResolvedError(falloutCase.id, falloutCase.status);
  if (falloutCase.order_id !== command.orderId) throw new NotFoundError('fallout case', falloutCase.id);
  const planId = falloutCase.fulfillment_plan_id!;
  let task: StoredTask | undefined;
  if (falloutCase.fulfillment_task_id !== null) {
    task = await loadTaskChecked(tx, { tenantId: command.tenantId, orderId: command.orderId, fulfillmentPlanId: planId, taskId: falloutCase.fulfillment_task_id });
    const move = { actor: command.actor, at, reason: command.reason, ...(command.approvedBy ? { approvedBy: command.approvedBy } : {}) };
    if (command.outcome === 'RETRY') {
      if (!retryableStatuses.includes(task.task.status)) throw new InvalidTransitionError('task', task.task.status, 'READY', { taskId: task.task.taskId, reason: 'only a failed, timed-out or fallen-out task is retried' });
      task = await moveTask(tx, task, ['READY'], move, changes);
    } else if (command.outcome === 'RESUME') {
      if (command.resolution === 'COMPLETE') task = await moveTask(tx, task, task.task.status === 'FALLOUT' ? ['COMPLETED'] : ['FALLOUT', 'COMPLETED'], move, changes);
      else if (command.resolution === 'SKIP') task = await moveTask(tx, task, ['SKIPPED'], move, changes);
      else if (task.task.status !== 'COMPLETED' && task.task.status !== 'SKIPPED') {
        throw new InvalidTransitionError('task', task.task.status, 'RESUME', { taskId: task.task.taskId, reason: 'RESUME needs the task resolved (COMPLETE or SKIP with approval)' });
      }
    }
  }
  const status = command.outcome === 'RETRY' || command.outcome === 'RESUME' ? 'REPAIRED' : 'CLOSED';
  await updateFalloutCase(tx, [command.tenantId, falloutCase.id, status, `${command.outcome}: ${command.reason}`, command.actor]);
  await audit(tx, { tenantId: command.tenantId, orderId: command.orderId, entityType: aggregateTypes.falloutCase, entityId: falloutCase.id, action: `FALLOUT_${command.outcome}`, stateBefore: falloutCase.status, stateAfter: status, details: { reason: command.reason, approvedBy: command.approvedBy ?? null, evidenceReference: command.evidenceReference ?? null }, actor: command.actor, at });
  await emitEvent(tx, {
    eventType: 'FulfillmentFalloutRepaired',
    tenantId: command.tenantId,
    orderId: command.orderId,
    aggregateType: aggregateTypes.falloutCase,
    aggregateId: falloutCase.id,
    at,
    payload: { fulfillmentPlanId: planId, fulfillmentTaskId: falloutCase.fulfillment_task_id, outcome: command.outcome, status, taskStatus: task?.task.status ?? null },
  });
  const ref = (await selectWorkflowRef(tx, [command.tenantId, command.orderId, planId]))[0];
  if (ref) {
    const subject = falloutCase.fulfillment_task_id ?? planId;
    await requestMessageCorrelation(tx, {
      tenantId: command.tenantId,
      processInstanceKey: ref.process_instance_key,
      messageName: falloutRepairedMessageName,
      correlationKey: taskCorrelationKey(command.tenantId, command.orderId, subject),
      aggregateType: aggregateTypes.falloutCase,
      aggregateId: falloutCase.id,
      causeId: falloutCase.id,
      variables: { repairOutcome: command.outcome },
      timeToLiveMs: repairMessageTtlMs,
    });
  }
}

/** *Repair fallout* (seed §17): the operator's command; one transaction. */
export async function repairFallout(pool: pg.Pool, command: RepairFalloutCommand, deps: CommandDeps = {}): Promise<{ status: string }> {
  const changes: TaskChange[] = [];
  const result = await withTransaction(pool, async (tx) => {
    const falloutCase = (await selectFalloutCaseForUpdate(tx, [command.tenantId, command.falloutCaseId]))[0];
    if (!falloutCase) throw new NotFoundError('fallout case', command.falloutCaseId);
    await repairFalloutInTx(tx, falloutCase, command, nowOf(deps), changes);
    return { status: command.outcome === 'RETRY' || command.outcome === 'RESUME' ? 'REPAIRED' : 'CLOSED' };
  });
  recordTaskChanges(deps, changes);
  return result;
}

/** The unresolved case of a task or (subject = plan id) of the plan, locked. */
export async function findOpenFalloutCase(tx: Tx, params: { tenantId: string; fulfillmentPlanId: string; subjectId: string }): Promise<FalloutCaseRow | undefined> {
  const taskId = params.subjectId === params.fulfillmentPlanId ? null : params.subjectId;
  return (await selectOpenFalloutCase(tx, [params.tenantId, params.fulfillmentPlanId, taskId]))[0];
}
