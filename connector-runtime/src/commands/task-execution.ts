/**
 * Executing fulfillment tasks (seed §9, §10, §14, §23): claim a ready task, call its owner system
 * once per attempt with the external idempotency key `tenantId:orderId:taskId:attemptPurpose`,
 * persist the result, the evidence and the task transition (with its events) before the job is
 * answered. Never a transaction across a partner call: the claim commits first (so a callback that
 * comes back before the answer finds its request), the result commits after.
 *
 * Idempotency: a job's key (stable across its retries and re-activations) claims one
 * `fulfillment_task_attempt`; a redelivered job finds that attempt and either repeats the partner
 * call with the same external key (the partner answers it once) or, when the result is already
 * stored, calls nobody and returns the stored state.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BugError, InvalidTransitionError, TransientError } from '../errors';
import { retryBackoffMilliseconds } from '../domain/policies';
import { partnerSystemOf, PartnerRejectedError, type PartnerAdapter, type PartnerOutcome, type PartnerSystem } from '../adapters/partner-adapter';
import type { FulfillmentPhase, FulfillmentTaskStatus, ManualDecision, TimeoutAction } from '../domain/vocabulary';
import type { ManualTaskView } from '../jobs/manual-task-view';
import type { Logger } from '../observability/logger';
import { withTransaction, type Tx } from '../store/database';
import { loadOrder } from '../store/order-repository';
import type { StoredTask } from '../store/plan-repository';
import {
  insertEvidence,
  insertExternalCall,
  insertTaskAttempt,
  selectAttemptByKey,
  selectEvidenceOfTask,
  selectExternalCallsOfTask,
  selectLatestAttempt,
  setTaskOutput,
  updateExternalCall,
  updateTaskAttempt,
  type ExternalCallRow,
  type TaskAttemptRow,
} from '../store/queries/fulfillment-workflow';
import {
  aggregateTypes,
  contentHash,
  emitEvent,
  loadTaskChecked,
  moveTask,
  nowOf,
  recordTaskChanges,
  StaleOrderVersionError,
  type CommandDeps,
  type TaskChange,
  type TaskLocator,
} from './command-context';
import { applyItemImpact } from './installed-base';
import { promoteAndRoute, type PlanRouting } from './plan-routing';
import { buildManualTaskView, taskWait, type TaskWait } from './task-view';
import { noFaults, type FaultPoints } from '../faults/fault-points';

/** The partner adapters a runtime has, by system. */
export type PartnerAdapters = Partial<Record<PartnerSystem, PartnerAdapter>>;

/** Dependencies of task execution. */
export interface TaskExecutionDeps extends CommandDeps {
  partners: PartnerAdapters;
  log?: Logger | undefined;
  /** Fault-injection tests only (FAULT_POINTS); unset: none. */
  faults?: FaultPoints | undefined;
}

/** Who runs a task command, with the job's idempotency key. */
export interface TaskCommand extends TaskLocator {
  actor: string;
  /** Stable across retries and re-activations of one job. */
  idempotencyKey: string;
  phase?: FulfillmentPhase | undefined;
  orderVersion?: number | undefined;
}

/** What the loop is told after a task step. */
export interface TaskStepResult extends PlanRouting, TaskWait {
  task: StoredTask;
  falloutReason: string | null;
  manualTaskView: ManualTaskView | null;
}

/** Decisions a person may take on a waiting manual task (see manual-decision.ts for their effect). */
export const manualTaskActions: ManualDecision[] = ['COMPLETE', 'FAIL', 'ESCALATE', 'SKIP_WITH_APPROVAL'];

/** The external idempotency key of seed §9. */
export function externalIdempotencyKey(task: { tenantId: string; orderId: string; taskId: string }, purpose: string): string {
  return `${task.tenantId}:${task.orderId}:${task.taskId}:${purpose}`;
}

function partnerOf(deps: TaskExecutionDeps, ownerSystem: string): { system: PartnerSystem; adapter: PartnerAdapter } | undefined {
  const system = partnerSystemOf(ownerSystem);
  if (system === undefined) return undefined;
  const adapter = deps.partners[system];
  if (!adapter) throw new BugError('PARTNER.NOT_CONFIGURED', `no adapter for ${system} (owner system ${ownerSystem})`, { system });
  return { system, adapter };
}

/**
 * Records the request of an attempt before it is sent (STARTED): our correlation id is the attempt
 * id, the external idempotency key names the purpose and the attempt. A repeat finds the first row.
 */
async function recordExternalCall(tx: Tx, task: StoredTask, attempt: TaskAttemptRow, system: PartnerSystem, purpose: 'EXECUTE' | 'SUBMIT'): Promise<ExternalCallRow> {
  const [call] = await insertExternalCall(tx, [
    task.task.tenantId,
    randomUUID(),
    task.task.orderId,
    task.task.taskId,
    null,
    system,
    attempt.id,
    externalIdempotencyKey(task.task, `${purpose}-${attempt.attempt_no}`),
    contentHash({ taskType: task.task.taskType, input: task.task.inputSnapshot }),
  ]);
  return call!;
}

async function checkOrder(tx: Tx, command: TaskCommand): Promise<Awaited<ReturnType<typeof loadOrder>>> {
  const order = await loadOrder(tx, { tenantId: command.tenantId, orderId: command.orderId });
  if (command.orderVersion !== undefined && command.orderVersion !== order.orderVersion) {
    throw new StaleOrderVersionError(order.orderId, command.orderVersion, order.orderVersion);
  }
  return order;
}

async function finishStep(
  tx: Tx,
  task: StoredTask,
  command: TaskCommand,
  at: string,
  extra: { falloutReason?: string | null; manualTaskView?: ManualTaskView | null } = {},
): Promise<TaskStepResult> {
  const routing = await promoteAndRoute(tx, { ...command, phase: command.phase ?? task.task.phase, at });
  return {
    task,
    ...routing,
    ...taskWait(task.task),
    falloutReason: extra.falloutReason ?? (task.task.status === 'FALLOUT' ? (task.lastFailure.message ?? 'fallout') : null),
    manualTaskView: extra.manualTaskView ?? null,
  };
}

/** Records a partner's synchronous answer: output, evidence, attempt and task. */
async function recordSyncOutcome(
  tx: Tx,
  task: StoredTask,
  attempt: TaskAttemptRow,
  call: ExternalCallRow,
  outcome: PartnerOutcome | PartnerRejectedError,
  command: TaskCommand,
  at: string,
  changes: TaskChange[],
): Promise<StoredTask> {
  const base = [task.task.tenantId, task.task.orderId];
  if (outcome instanceof PartnerRejectedError) {
    await updateExternalCall(tx, [task.task.tenantId, 'FAILED', null, outcome.code, outcome.message, call.id]);
    await updateTaskAttempt(tx, [attempt.id, 'FAILED', null, null, outcome.code, outcome.message, at]);
    await insertEvidence(tx, [...base.slice(0, 1), randomUUID(), task.task.orderId, task.task.taskId, null, 'PARTNER_REJECTION', call.external_system, call.external_correlation_id, call.id, null, null, JSON.stringify({ code: outcome.code, message: outcome.message, ...outcome.details }), contentHash(outcome.details), command.actor, at]);
    return moveTask(tx, task, ['FAILED', 'FALLOUT'], { actor: command.actor, at, reason: outcome.message, failure: { code: 'EXTERNAL_SYSTEM_REJECTED', message: outcome.message.slice(0, 500) } }, changes);
  }
  const result = outcome.kind === 'DONE' ? outcome.result : {};
  const output = { reference: outcome.reference, result };
  await setTaskOutput(tx, [task.task.tenantId, task.task.taskId, JSON.stringify(output), contentHash(output)]);
  await updateExternalCall(tx, [task.task.tenantId, 'SUCCEEDED', contentHash(output), null, null, call.id]);
  await updateTaskAttempt(tx, [attempt.id, 'SUCCEEDED', null, contentHash(output), null, null, at]);
  await insertEvidence(tx, [task.task.tenantId, randomUUID(), task.task.orderId, task.task.taskId, null, 'PARTNER_RESPONSE', call.external_system, call.external_correlation_id, call.id, null, outcome.reference.slice(0, 256), JSON.stringify({ reference: outcome.reference }), contentHash(output), command.actor, at]);
  return moveTask(tx, task, ['COMPLETED'], { actor: command.actor, at, eventPayload: { externalCorrelationId: call.external_correlation_id, reference: outcome.reference } }, changes);
}

async function callPartner(deps: TaskExecutionDeps, adapter: PartnerAdapter, task: StoredTask, call: ExternalCallRow): Promise<PartnerOutcome | PartnerRejectedError> {
  const faults = deps.faults ?? noFaults;
  await faults.hit('task.before-partner-call');
  const outcome = await performPartnerCall(adapter, task, call);
  await faults.hit('task.after-partner-call');
  return outcome;
}

async function performPartnerCall(adapter: PartnerAdapter, task: StoredTask, call: ExternalCallRow): Promise<PartnerOutcome | PartnerRejectedError> {
  try {
    return await adapter.perform({
      tenantId: task.task.tenantId,
      orderId: task.task.orderId,
      orderItemId: task.task.orderItemId,
      taskId: task.task.taskId,
      taskType: task.task.taskType,
      idempotencyKey: call.idempotency_key,
      externalCorrelationId: call.external_correlation_id,
      input: task.task.inputSnapshot,
    });
  } catch (error) {
    if (error instanceof PartnerRejectedError) return error;
    // The adapter retry waits as the task's retry policy says (seed §15), unless the partner named a wait.
    if (error instanceof TransientError && typeof error.details['retryBackoffMs'] !== 'number') {
      throw new TransientError(error.code, error.message, { ...error.details, retryBackoffMs: retryBackoffMilliseconds(task.task.retryPolicy) }, { cause: error });
    }
    throw error;
  }
}

/**
 * `execute-fulfillment-task` (seed §9): claims the ready task for this job; performs a synchronous
 * task at once (partner call, or the installed-base impact for `installed-base` tasks); hands a
 * manual or wait-only task to its wait (WAITING); leaves an asynchronous one IN_PROGRESS for the
 * submit step.
 */
export async function executeFulfillmentTask(pool: pg.Pool, command: TaskCommand, deps: TaskExecutionDeps): Promise<TaskStepResult> {
  const changes: TaskChange[] = [];
  const claimed = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    let task = await loadTaskChecked(tx, command);
    if (command.phase !== undefined && task.task.phase !== command.phase) {
      throw new BugError('TASK.WRONG_PHASE', `task ${task.task.taskId} belongs to phase ${task.task.phase}, not ${command.phase}`, { taskId: task.task.taskId });
    }
    const order = await checkOrder(tx, command);
    let attempt = (await selectAttemptByKey(tx, [command.tenantId, command.taskId, command.idempotencyKey]))[0];
    let call: ExternalCallRow | undefined;
    const partner = task.task.executionMode === 'AUTOMATED_SYNC' ? partnerOf(deps, task.task.ownerSystem) : undefined;
    if (!attempt) {
      if (task.task.status !== 'READY') throw new InvalidTransitionError('task', task.task.status, 'IN_PROGRESS', { taskId: task.task.taskId, reason: 'only a READY task is executed' });
      // The cancel message interrupts the phase shortly; meanwhile no new work starts.
      if (order.status === 'CANCEL_REQUESTED') throw new TransientError('ORDER.CANCEL_PENDING', `order ${order.orderId} is being cancelled; task not started`, { retryBackoffMs: 10_000 });
      task = await moveTask(tx, task, ['IN_PROGRESS'], { actor: command.actor, at }, changes);
      const attemptId = randomUUID();
      await insertTaskAttempt(tx, [attemptId, command.tenantId, command.orderId, command.taskId, task.attemptCount, command.idempotencyKey, partner?.system ?? null, partner ? attemptId : null, at]);
      attempt = (await selectAttemptByKey(tx, [command.tenantId, command.taskId, command.idempotencyKey]))[0]!;
      if (task.task.executionMode === 'MANUAL' || task.task.executionMode === 'WAIT_ONLY') {
        task = await moveTask(tx, task, ['WAITING'], { actor: command.actor, at, reason: task.task.executionMode === 'MANUAL' ? 'handed to a person' : 'waiting for the owner system' }, changes);
      }
    }
    if (partner) call = await recordExternalCall(tx, task, attempt, partner.system, 'EXECUTE');
    const view =
      task.task.executionMode === 'MANUAL' && task.task.status === 'WAITING'
        ? await buildManualTaskView(tx, { order, task: task.task, attemptCount: task.attemptCount, allowedActions: manualTaskActions })
        : null;
    return { task, attempt, call, partner, view };
  });
  recordTaskChanges(deps, changes);
  changes.length = 0;

  const { attempt, call, partner } = claimed;
  let outcome: PartnerOutcome | PartnerRejectedError | undefined;
  if (partner && call && claimed.task.task.status === 'IN_PROGRESS' && call.status === 'STARTED') outcome = await callPartner(deps, partner.adapter, claimed.task, call);

  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    let task = await loadTaskChecked(tx, command);
    if (task.task.status === 'IN_PROGRESS' && task.task.executionMode === 'AUTOMATED_SYNC') {
      if (outcome && call) {
        task = await recordSyncOutcome(tx, task, attempt, call, outcome, command, at, changes);
      } else if (!partner) {
        task = await performInternalTask(tx, task, attempt, command, at, changes);
      }
    }
    return finishStep(tx, task, command, at, { manualTaskView: claimed.view });
  });
  recordTaskChanges(deps, changes);
  return result;
}

/** Tasks the runtime performs itself: the installed-base update of one order item (seed §18). */
async function performInternalTask(tx: Tx, task: StoredTask, attempt: TaskAttemptRow, command: TaskCommand, at: string, changes: TaskChange[]): Promise<StoredTask> {
  if (task.task.taskType !== 'UPDATE_INSTALLED_BASE') {
    throw new BugError('TASK.NO_PERFORMER', `no adapter performs ${task.task.taskType} of owner ${task.task.ownerSystem}`, { taskId: task.task.taskId });
  }
  const impact = await applyItemImpact(tx, { tenantId: task.task.tenantId, orderId: task.task.orderId, orderItemId: task.task.orderItemId, actor: command.actor, at });
  if (!impact.applied) {
    await updateTaskAttempt(tx, [attempt.id, 'FAILED', null, null, impact.code, impact.reason, at]);
    return moveTask(tx, task, ['FAILED', 'FALLOUT'], { actor: command.actor, at, reason: impact.reason, failure: { code: 'INSTALLED_BASE_CONFLICT', message: impact.reason.slice(0, 500) } }, changes);
  }
  const output = { assetId: impact.assetId, change: impact.change };
  await setTaskOutput(tx, [task.task.tenantId, task.task.taskId, JSON.stringify(output), contentHash(output)]);
  await updateTaskAttempt(tx, [attempt.id, 'SUCCEEDED', null, contentHash(output), null, null, at]);
  await insertEvidence(tx, [task.task.tenantId, randomUUID(), task.task.orderId, task.task.taskId, null, 'ASSET_IMPACT', 'installed-base', null, null, null, impact.assetId, JSON.stringify(output), contentHash(output), command.actor, at]);
  return moveTask(tx, task, ['COMPLETED'], { actor: command.actor, at }, changes);
}

/**
 * `submit-external-task-request` (seed §10): sends the asynchronous request of the task's current
 * attempt, records the external call (our correlation id is the attempt id, which the partner
 * echoes in its callback) and moves the task to WAITING. `BillingActivationRequested` for billing.
 */
export async function submitExternalTaskRequest(
  pool: pg.Pool,
  command: TaskCommand & { ownerSystem?: string | undefined },
  deps: TaskExecutionDeps,
): Promise<TaskStepResult> {
  const changes: TaskChange[] = [];
  const claimed = await withTransaction(pool, async (tx) => {
    const task = await loadTaskChecked(tx, command);
    await checkOrder(tx, command);
    const attempt = (await selectLatestAttempt(tx, [command.tenantId, command.taskId]))[0];
    if (!attempt) throw new InvalidTransitionError('task', task.task.status, 'WAITING', { taskId: command.taskId, reason: 'no attempt was started' });
    const partner = partnerOf(deps, task.task.ownerSystem);
    if (!partner) throw new BugError('TASK.NO_PARTNER', `${task.task.taskType} of owner ${task.task.ownerSystem} has no partner to submit to`, { taskId: command.taskId });
    if (command.ownerSystem !== undefined && command.ownerSystem !== partner.system) {
      throw new BugError('TASK.WRONG_OWNER', `the element submits to ${command.ownerSystem}, task ${command.taskId} belongs to ${partner.system}`, { taskId: command.taskId });
    }
    if (task.task.status !== 'IN_PROGRESS' && task.task.status !== 'WAITING') {
      throw new InvalidTransitionError('task', task.task.status, 'WAITING', { taskId: command.taskId, reason: 'only a started task is submitted' });
    }
    const call = await recordExternalCall(tx, task, attempt, partner.system, 'SUBMIT');
    return { task, attempt, call, partner };
  });

  const { attempt, call, partner } = claimed;
  let outcome: PartnerOutcome | PartnerRejectedError | undefined;
  if (claimed.task.task.status === 'IN_PROGRESS' && call.status === 'STARTED') outcome = await callPartner(deps, partner.adapter, claimed.task, call);

  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    let task = await loadTaskChecked(tx, command);
    if (task.task.status === 'IN_PROGRESS') {
      if (outcome instanceof PartnerRejectedError) {
        task = await recordSyncOutcome(tx, task, attempt, call, outcome, command, at, changes);
      } else {
        await updateExternalCall(tx, [command.tenantId, 'SUBMITTED', null, null, null, call.id]);
        await updateTaskAttempt(tx, [attempt.id, 'SUBMITTED', contentHash(task.task.inputSnapshot), null, null, null, at]);
        if (outcome) {
          await insertEvidence(tx, [command.tenantId, randomUUID(), command.orderId, command.taskId, null, 'PARTNER_ACCEPTED', partner.system, call.external_correlation_id, call.id, null, outcome.reference.slice(0, 256), JSON.stringify({ reference: outcome.reference }), contentHash(outcome), command.actor, at]);
        }
        task = await moveTask(tx, task, ['WAITING'], { actor: command.actor, at, reason: `submitted to ${partner.system}`, eventPayload: { externalCorrelationId: call.external_correlation_id } }, changes);
        if (task.task.taskType === 'ACTIVATE_BILLING') {
          await emitEvent(tx, {
            eventType: 'BillingActivationRequested',
            tenantId: command.tenantId,
            orderId: command.orderId,
            aggregateType: aggregateTypes.task,
            aggregateId: command.taskId,
            at,
            payload: { fulfillmentPlanId: command.fulfillmentPlanId, orderItemId: task.task.orderItemId, externalCorrelationId: call.external_correlation_id, status: 'REQUESTED' },
          });
        }
      }
    }
    return finishStep(tx, task, command, at);
  });
  recordTaskChanges(deps, changes);
  return result;
}

/** The callback evidence that ends the task's current wait, if it arrived. */
async function callbackEvidence(tx: Tx, task: StoredTask): Promise<{ outcome: string; reason?: string; result?: Record<string, unknown>; reference?: string; callId: string | null } | undefined> {
  const evidence = (await selectEvidenceOfTask(tx, [task.task.tenantId, task.task.taskId])).filter((row) => row.evidence_kind === 'CALLBACK');
  if (task.task.executionMode === 'AUTOMATED_ASYNC') {
    const attempt = (await selectLatestAttempt(tx, [task.task.tenantId, task.task.taskId]))[0];
    const calls = await selectExternalCallsOfTask(tx, [task.task.tenantId, task.task.taskId]);
    const current = calls.find((c) => c.external_correlation_id === attempt?.id);
    const match = evidence.find((row) => current !== undefined && row.external_call_attempt_id === current.id);
    return match ? { ...(match.summary as { outcome: string }), callId: current!.id } : undefined;
  }
  const latest = evidence[0];
  return latest ? { ...(latest.summary as { outcome: string }), callId: null } : undefined;
}

/**
 * `apply-external-task-result` (seed §10): after the callback message resumed the process, applies
 * the stored callback (evidence in PostgreSQL, never message variables) to the task.
 */
export async function applyExternalTaskResult(pool: pg.Pool, command: TaskCommand, deps: TaskExecutionDeps): Promise<TaskStepResult> {
  const changes: TaskChange[] = [];
  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    let task = await loadTaskChecked(tx, command);
    await checkOrder(tx, command);
    if (task.task.status === 'WAITING') {
      const evidence = await callbackEvidence(tx, task);
      if (!evidence) throw new BugError('CALLBACK.EVIDENCE_MISSING', `task ${command.taskId} was resumed, but no callback of its current attempt is stored`, { taskId: command.taskId });
      const attempt = (await selectLatestAttempt(tx, [command.tenantId, command.taskId]))[0];
      if (evidence.outcome === 'SUCCEEDED') {
        const output = { reference: evidence.reference ?? null, result: evidence.result ?? {} };
        await setTaskOutput(tx, [command.tenantId, command.taskId, JSON.stringify(output), contentHash(output)]);
        if (attempt) await updateTaskAttempt(tx, [attempt.id, 'SUCCEEDED', null, contentHash(output), null, null, at]);
        task = await moveTask(tx, task, ['COMPLETED'], { actor: command.actor, at, eventPayload: { externalCorrelationId: attempt?.id ?? null, reference: evidence.reference ?? null } }, changes);
        if (task.task.taskType === 'ACTIVATE_BILLING') {
          await emitEvent(tx, {
            eventType: 'BillingActivationCompleted',
            tenantId: command.tenantId,
            orderId: command.orderId,
            aggregateType: aggregateTypes.task,
            aggregateId: command.taskId,
            at,
            payload: { fulfillmentPlanId: command.fulfillmentPlanId, orderItemId: task.task.orderItemId, reference: evidence.reference ?? null, status: 'ACTIVE' },
          });
        }
      } else {
        const reason = `${task.task.ownerSystem} reported failure: ${evidence.reason ?? 'no reason given'}`;
        if (attempt) await updateTaskAttempt(tx, [attempt.id, 'FAILED', null, null, 'CALLBACK_FAILED', reason, at]);
        task = await moveTask(tx, task, ['FAILED', 'FALLOUT'], { actor: command.actor, at, reason, failure: { code: 'EXTERNAL_SYSTEM_REJECTED', message: reason.slice(0, 500) } }, changes);
      }
    }
    return finishStep(tx, task, command, at);
  });
  recordTaskChanges(deps, changes);
  return result;
}

/** What the timeout step returns besides the routing flags. */
export interface TimeoutResult extends TaskStepResult {
  timeoutAction: TimeoutAction;
}

/** Statuses each timeout action leaves the task in (seed §14; anti-pattern 6). */
const timeoutSteps: Record<TimeoutAction, FulfillmentTaskStatus[]> = {
  REMIND: [],
  ESCALATE: [],
  OPEN_FALLOUT: ['TIMED_OUT', 'FALLOUT'],
  RETRY: ['TIMED_OUT', 'READY'],
  COMPENSATE: ['TIMED_OUT'],
  CANCEL: ['TIMED_OUT'],
};

/**
 * `apply-fulfillment-timeout` (seed §14): locks the task, checks it still waits, records the
 * timeout as evidence and applies the task's timeout policy. A soft reminder records the reminder
 * and changes nothing else. COMPENSATE and CANCEL also request the order's cancellation, whose
 * message interrupts the phases and runs the compensation (seed §25).
 */
export async function applyFulfillmentTimeout(
  pool: pg.Pool,
  command: TaskCommand & { timeoutKind?: 'HARD' | 'SOFT_REMINDER' | undefined },
  deps: TaskExecutionDeps & { requestCancellation?: (tx: Tx, reason: string) => Promise<void> },
): Promise<TimeoutResult> {
  const changes: TaskChange[] = [];
  let reminded = false;
  const result = await withTransaction(pool, async (tx) => {
    const at = nowOf(deps);
    let task = await loadTaskChecked(tx, command);
    await checkOrder(tx, command);
    const policy = task.task.timeoutPolicy;
    const soft = command.timeoutKind === 'SOFT_REMINDER';
    const action: TimeoutAction = soft ? 'REMIND' : (policy?.onTimeout ?? 'OPEN_FALLOUT');
    // A wait that already ended (the callback was applied first) has nothing to time out.
    if (task.task.status !== 'WAITING') {
      return { ...(await finishStep(tx, task, command, at)), timeoutAction: soft ? 'REMIND' : action };
    }
    const reason = soft
      ? `soft reminder: ${task.task.taskType} still waits, ${policy?.softReminderBefore ?? '?'} before its ${policy?.timeout ?? '?'} timeout`
      : `no answer within ${policy?.timeout ?? 'the timeout'}: ${action}`;
    await insertEvidence(tx, [command.tenantId, randomUUID(), command.orderId, command.taskId, null, soft ? 'REMINDER' : 'TIMEOUT', 'oms', null, null, null, null, JSON.stringify({ action, timeout: policy?.timeout ?? null }), contentHash({ action, at }), command.actor, at]);
    if (soft) {
      reminded = true;
      await emitEvent(tx, {
        eventType: 'FulfillmentTaskReminderSent',
        tenantId: command.tenantId,
        orderId: command.orderId,
        aggregateType: aggregateTypes.task,
        aggregateId: command.taskId,
        at,
        payload: { fulfillmentPlanId: command.fulfillmentPlanId, taskType: task.task.taskType, status: task.task.status, reason },
      });
      return { ...(await finishStep(tx, task, command, at)), timeoutAction: 'REMIND' as const };
    }
    const attempt = (await selectLatestAttempt(tx, [command.tenantId, command.taskId]))[0];
    const steps = timeoutSteps[action];
    if (steps.length > 0) {
      if (attempt) await updateTaskAttempt(tx, [attempt.id, 'TIMED_OUT', null, null, 'TIMEOUT', reason, at]);
      const calls = await selectExternalCallsOfTask(tx, [command.tenantId, command.taskId]);
      const current = calls.find((c) => c.external_correlation_id === attempt?.id);
      if (current) await updateExternalCall(tx, [command.tenantId, 'TIMED_OUT', null, 'TIMEOUT', reason, current.id]);
      task = await moveTask(tx, task, steps, { actor: command.actor, at, reason, failure: { code: policy?.falloutCategory ?? 'EXTERNAL_SYSTEM_TIMEOUT', message: reason } }, changes);
    }
    if ((action === 'CANCEL' || action === 'COMPENSATE') && deps.requestCancellation) await deps.requestCancellation(tx, reason);
    return { ...(await finishStep(tx, task, command, at, { falloutReason: task.task.status === 'FALLOUT' ? reason : null })), timeoutAction: action };
  });
  recordTaskChanges(deps, changes);
  if (reminded) deps.metrics?.taskTimeout.inc({ task_type: result.task.task.taskType, kind: 'soft' });
  return result;
}
