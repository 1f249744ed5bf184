/**
 * Compensation (seed §16, §25): *start compensation* builds the plan from the completed
 * compensatable tasks (domain `planCompensation`: never a blind reverse), cancels what has not
 * happened yet, and stores the steps in undo order; *apply compensation step* undoes one step
 * through its owner system (or, for the installed base, the runtime itself) and marks the original
 * task COMPENSATED. A partner's acceptance of an undo request counts as the undo; its later
 * confirmation is kept as evidence.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BugError, NotFoundError, TransientError } from '../errors';
import { partnerSystemOf, PartnerRejectedError } from '../adapters/partner-adapter';
import { planCompensation } from '../domain/compensation';
import type { FulfillmentTaskStatus, FulfillmentTaskType } from '../domain/vocabulary';
import { withTransaction } from '../store/database';
import { loadPlanTasks } from '../store/plan-repository';
import {
  insertCompensationPlan,
  insertCompensationTask,
  selectCompensationTaskForUpdate,
  selectCompensationTasks,
  selectUnfinishedCompensation,
  updateCompensationPlan,
  updateCompensationTask,
  type CompensationTaskRow,
} from '../store/queries/fallout-and-compensation';
import { insertEvidence, insertExternalCall, selectExternalCallsOfTask, selectLatestAttempt, updateExternalCall, updateTaskAttempt } from '../store/queries/fulfillment-workflow';
import { aggregateTypes, audit, contentHash, emitEvent, loadTaskChecked, lockPlan, moveTask, nowOf, recordTaskChanges, type TaskChange } from './command-context';
import { revertOrderImpact } from './installed-base';
import { externalIdempotencyKey, type TaskExecutionDeps } from './task-execution';

/** What starting compensation needs. */
export interface StartCompensationCommand {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  reason: string;
  idempotencyKey: string;
  actor: string;
}

/** The plan to run. */
export interface StartCompensationResult {
  compensationPlanId: string;
  /** Automatic steps, in run order (latest completed effect first). */
  compensationTaskIds: string[];
  requiresManualReview: boolean;
}

const cancellable: FulfillmentTaskStatus[] = ['PENDING', 'READY', 'WAITING', 'FAILED', 'TIMED_OUT', 'FALLOUT'];

/** Runs *start compensation*. */
export async function startCompensation(pool: pg.Pool, command: StartCompensationCommand, deps: TaskExecutionDeps): Promise<StartCompensationResult> {
  const changes: TaskChange[] = [];
  let started = false;
  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    await lockPlan(tx, command);
    const existing = (await selectUnfinishedCompensation(tx, [command.tenantId, command.fulfillmentPlanId]))[0];
    if (existing) {
      const steps = await selectCompensationTasks(tx, [command.tenantId, existing.id]);
      return describe(existing.id, steps);
    }
    const endOpenAttempt = async (taskId: string) => {
      const attempt = (await selectLatestAttempt(tx, [command.tenantId, taskId]))[0];
      if (attempt) await updateTaskAttempt(tx, [attempt.id, 'FAILED', null, null, 'CANCELLED', 'attempt ended by cancellation', at]);
    };
    let tasks = await loadPlanTasks(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId, forUpdate: true });
    // A task a worker holds may be producing an effect right now: wait for it (the job retries).
    for (const stored of tasks.filter((t) => t.task.status === 'IN_PROGRESS')) {
      const calls = await selectExternalCallsOfTask(tx, [command.tenantId, stored.task.taskId]);
      if (calls.some((call) => call.status === 'STARTED')) {
        throw new TransientError('COMPENSATION.TASK_IN_FLIGHT', `task ${stored.task.taskId} has a partner call in flight; compensation waits for its result`, { retryBackoffMs: 2000 });
      }
      // Nothing is in flight: the worker stopped before calling anyone, so the attempt simply ends.
      await moveTask(tx, stored, ['FAILED', 'CANCELLED'], { actor: command.actor, at, reason: command.reason, failure: { code: 'CANCELLED', message: 'attempt ended by cancellation' } }, changes);
      await endOpenAttempt(stored.task.taskId);
    }
    tasks = await loadPlanTasks(tx, { tenantId: command.tenantId, fulfillmentPlanId: command.fulfillmentPlanId, forUpdate: true });
    for (const stored of tasks.filter((t) => cancellable.includes(t.task.status))) {
      await moveTask(tx, stored, ['CANCELLED'], { actor: command.actor, at, reason: command.reason }, changes);
      // A waiting task's attempt (a submitted request, a manual task) ends with it; a finished one stays as it was.
      await endOpenAttempt(stored.task.taskId);
    }
    const plan = planCompensation({ fulfillmentPlanId: command.fulfillmentPlanId, tasks: tasks.map((t) => t.task) }, { reason: command.reason, idFactory: () => randomUUID() });
    const [row] = await insertCompensationPlan(tx, [command.tenantId, plan.compensationPlanId, command.orderId, command.fulfillmentPlanId, command.idempotencyKey, command.reason, plan.steps.length > 0 ? 'IN_PROGRESS' : plan.status]);
    if (row!.inserted) {
      for (const step of plan.steps) {
        await insertCompensationTask(tx, [command.tenantId, step.compensationTaskId, plan.compensationPlanId, command.fulfillmentPlanId, step.compensatesTaskId, step.taskType, step.sequence, false, step.ownerSystem, 'PLANNED', step.inputSnapshotHash]);
      }
      for (const item of plan.manualReview) {
        await insertCompensationTask(tx, [command.tenantId, item.compensationTaskId, plan.compensationPlanId, command.fulfillmentPlanId, item.taskId, null, null, true, item.ownerSystem, 'MANUAL_REVIEW', null]);
      }
      await audit(tx, { tenantId: command.tenantId, orderId: command.orderId, entityType: aggregateTypes.compensation, entityId: plan.compensationPlanId, action: 'COMPENSATION_STARTED', stateAfter: row!.status, details: { reason: command.reason, steps: plan.steps.length, manualReview: plan.manualReview.length }, actor: command.actor, at });
      await emitEvent(tx, {
        eventType: 'CompensationStarted',
        tenantId: command.tenantId,
        orderId: command.orderId,
        aggregateType: aggregateTypes.compensation,
        aggregateId: plan.compensationPlanId,
        at,
        payload: {
          fulfillmentPlanId: command.fulfillmentPlanId,
          reason: command.reason,
          steps: plan.steps.map((step) => ({ compensationTaskId: step.compensationTaskId, taskType: step.taskType, compensatesTaskId: step.compensatesTaskId })),
          manualReviewTaskIds: plan.manualReview.map((item) => item.taskId),
          status: row!.status,
        },
      });
      started = true;
    }
    return describe(row!.id, await selectCompensationTasks(tx, [command.tenantId, row!.id]));
  });
  recordTaskChanges(deps, changes);
  if (started) deps.metrics?.compensationStarted.inc({ tenant_id: command.tenantId });
  return result;
}

function describe(compensationPlanId: string, steps: readonly CompensationTaskRow[]): StartCompensationResult {
  return {
    compensationPlanId,
    compensationTaskIds: steps.filter((step) => !step.manual_review).map((step) => step.id),
    requiresManualReview: steps.some((step) => step.manual_review && step.status !== 'COMPLETED'),
  };
}

/** What one compensation step needs. */
export interface CompensationStepCommand {
  tenantId: string;
  orderId: string;
  fulfillmentPlanId: string;
  /** Null in a BPMN compensation handler (the installed-base revert): the order's impact is reverted. */
  compensationTaskId: string | null;
  actor: string;
}

/** What the process is told. */
export interface CompensationStepResult {
  compensationTaskResult: 'PLANNED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'MANUAL_REVIEW';
  falloutReason: string | null;
}

/** Runs *apply compensation step* (see the module comment). */
export async function executeCompensationStep(pool: pg.Pool, command: CompensationStepCommand, deps: TaskExecutionDeps): Promise<CompensationStepResult> {
  if (command.compensationTaskId === null) {
    await withTransaction(pool, async (tx) => {
      await lockPlan(tx, command);
      await revertOrderImpact(tx, { ...command, at: nowOf(deps) });
    });
    return { compensationTaskResult: 'COMPLETED', falloutReason: null };
  }
  const stepId = command.compensationTaskId;
  const claimed = await withTransaction(pool, async (tx) => {
    await lockPlan(tx, command);
    const step = (await selectCompensationTaskForUpdate(tx, [command.tenantId, stepId]))[0];
    if (!step || step.fulfillment_plan_id !== command.fulfillmentPlanId) throw new NotFoundError('compensation task', stepId);
    if (step.status === 'COMPLETED' || step.status === 'MANUAL_REVIEW') return { step, call: undefined };
    if (step.status === 'PLANNED' || step.status === 'FAILED') await updateCompensationTask(tx, [command.tenantId, stepId, 'IN_PROGRESS', null, null]);
    const source = await loadTaskChecked(tx, { ...command, taskId: step.source_task_id });
    const system = partnerSystemOf(step.owner_system);
    if (!system) return { step, call: undefined, source };
    // A retry after a rejected undo is a new request (its own key and correlation id): the refused
    // call stays FAILED, and only the owner system's answer to the new one may complete the step.
    const attempt = step.attempt_count + (step.status === 'IN_PROGRESS' ? 0 : 1);
    const suffix = attempt > 1 ? `-${attempt}` : '';
    const call = (
      await insertExternalCall(tx, [
        command.tenantId,
        randomUUID(),
        command.orderId,
        null,
        stepId,
        system,
        attempt > 1 ? `${stepId}:${attempt}` : stepId,
        externalIdempotencyKey({ ...source.task, taskId: stepId }, `COMPENSATE-${step.compensation_task_type}${suffix}`),
        contentHash({ taskType: step.compensation_task_type, input: source.task.inputSnapshot }),
      ])
    )[0]!;
    return { step, call, source };
  });
  const { step, call, source } = claimed;
  if (step.status === 'COMPLETED' || step.status === 'MANUAL_REVIEW') return { compensationTaskResult: step.status, falloutReason: null };

  let failure: string | undefined;
  let reference: string | undefined;
  if (call && call.status === 'STARTED') {
    const adapter = deps.partners[call.external_system as keyof typeof deps.partners];
    if (!adapter) throw new BugError('PARTNER.NOT_CONFIGURED', `no adapter for ${call.external_system}`);
    try {
      const outcome = await adapter.perform({
        tenantId: command.tenantId,
        orderId: command.orderId,
        orderItemId: source!.task.orderItemId,
        taskId: stepId,
        taskType: step.compensation_task_type as FulfillmentTaskType,
        idempotencyKey: call.idempotency_key,
        externalCorrelationId: call.external_correlation_id,
        input: source!.task.inputSnapshot,
      });
      reference = outcome.reference;
    } catch (error) {
      if (!(error instanceof PartnerRejectedError)) throw error;
      failure = error.message;
    }
  }

  const changes: TaskChange[] = [];
  const result = await withTransaction(pool, async (tx): Promise<CompensationStepResult> => {
    const at = nowOf(deps);
    await lockPlan(tx, command);
    const current = (await selectCompensationTaskForUpdate(tx, [command.tenantId, stepId]))[0]!;
    if (current.status !== 'IN_PROGRESS') return { compensationTaskResult: current.status as CompensationStepResult['compensationTaskResult'], falloutReason: null };
    const system = call?.external_system ?? 'installed-base';
    if (failure !== undefined) {
      if (call) await updateExternalCall(tx, [command.tenantId, 'FAILED', null, 'REJECTED', failure, call.id]);
      await updateCompensationTask(tx, [command.tenantId, stepId, 'FAILED', 'EXTERNAL_SYSTEM_REJECTED', failure.slice(0, 500)]);
      await updateCompensationPlan(tx, [command.tenantId, current.compensation_plan_id, 'FAILED']);
      await emitEvent(tx, {
        eventType: 'CompensationFailed',
        tenantId: command.tenantId,
        orderId: command.orderId,
        aggregateType: aggregateTypes.compensation,
        aggregateId: current.compensation_plan_id,
        at,
        payload: { fulfillmentPlanId: command.fulfillmentPlanId, compensationTaskId: stepId, taskType: current.compensation_task_type, reason: failure, status: 'FAILED' },
      });
      return { compensationTaskResult: 'FAILED', falloutReason: `COMPENSATION_FAILED: ${failure}`.slice(0, 500) };
    }
    if (!call) await revertOrderImpact(tx, { ...command, at });
    else await updateExternalCall(tx, [command.tenantId, 'SUCCEEDED', contentHash(reference ?? null), null, null, call.id]);
    await insertEvidence(tx, [command.tenantId, randomUUID(), command.orderId, null, stepId, 'COMPENSATION', system, call?.external_correlation_id ?? null, call?.id ?? null, null, reference?.slice(0, 256) ?? null, JSON.stringify({ taskType: current.compensation_task_type, reference: reference ?? null }), contentHash({ stepId, reference }), command.actor, at]);
    await updateCompensationTask(tx, [command.tenantId, stepId, 'COMPLETED', null, null]);
    const original = await loadTaskChecked(tx, { ...command, taskId: current.source_task_id });
    if (original.task.status === 'COMPLETED') await moveTask(tx, original, ['COMPENSATED'], { actor: command.actor, at, reason: `undone by ${current.compensation_task_type}` }, changes);
    await emitEvent(tx, {
      eventType: 'CompensationTaskCompleted',
      tenantId: command.tenantId,
      orderId: command.orderId,
      aggregateType: aggregateTypes.compensation,
      aggregateId: current.compensation_plan_id,
      at,
      payload: { fulfillmentPlanId: command.fulfillmentPlanId, compensationTaskId: stepId, taskType: current.compensation_task_type, compensatedTaskId: current.source_task_id, status: 'COMPLETED' },
    });
    const steps = await selectCompensationTasks(tx, [command.tenantId, current.compensation_plan_id]);
    if (steps.every((s) => s.id === stepId || s.status === 'COMPLETED' || s.manual_review)) {
      await updateCompensationPlan(tx, [command.tenantId, current.compensation_plan_id, steps.some((s) => s.manual_review && s.status !== 'COMPLETED') ? 'MANUAL_REVIEW' : 'COMPLETED']);
    }
    return { compensationTaskResult: 'COMPLETED', falloutReason: null };
  });
  recordTaskChanges(deps, changes);
  if (result.compensationTaskResult === 'FAILED') deps.metrics?.compensationFailed.inc({ task_type: step.compensation_task_type ?? 'UNKNOWN' });
  return result;
}
