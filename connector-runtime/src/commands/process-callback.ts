/**
 * Callback processing (seed §10–§11, anti-pattern 3): a verified, stored callback becomes evidence
 * and, when a task waits for it, one `workflow_message_correlation` row — in one transaction with
 * the inbox row marked processed. The CorrelationRelay publishes the message afterwards.
 *
 * - The body is validated against the partner callback schema; a bad body is a stored rejection.
 * - It names our request by external correlation id; an unknown id is a stored rejection and
 *   changes nothing else.
 * - The task it ends is the request's own task when that task awaits this system's message, or a
 *   WAIT_ONLY task that depends on it (a shipment confirmation after the shipment was scheduled).
 * - A callback of an attempt the task no longer waits on (superseded by a retry) is kept as
 *   evidence and not correlated (docs/decisions/0003).
 * - The same callback again (a new webhook-id for the same request) is recognised by the request
 *   having a result already: stored, counted as a duplicate, not correlated twice.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { partnerCallbackSchema, type PartnerCallback } from '../adapters/partner-adapter';
import { FulfillmentError, isTransient } from '../errors';
import { callbackMessages, type ExternalSystem } from '../domain/vocabulary';
import { taskCorrelationKey } from '../jobs/model-names';
import { withTransaction, type Tx } from '../store/database';
import { requestMessageCorrelation } from '../store/message-correlations';
import { loadPlanTasks, storedTaskFromRow } from '../store/plan-repository';
import { claimInboxRow, claimUnprocessedInbox, markInboxProcessed, type InboxRow } from '../store/queries/callback-processing';
import { insertEvidence, selectExternalCallByCorrelation, selectLatestAttempt, selectWorkflowRef, updateExternalCall } from '../store/queries/fulfillment-workflow';
import { selectFulfillmentTask } from '../store/queries/select-fulfillment-task';
import { aggregateTypes, contentHash, lockPlan, nowOf, type CommandDeps } from './command-context';

/** How long a callback's message waits in the engine for its catch (the wait's hard timeout bounds it). */
export const callbackMessageTtlMs = 24 * 3600_000;

/** What processing concluded. */
export type CallbackOutcome =
  | { kind: 'CORRELATED'; taskId: string; correlationId: string }
  | { kind: 'DUPLICATE' | 'SUPERSEDED' | 'EVIDENCE_ONLY'; taskId: string | null }
  | { kind: 'REJECTED'; reason: string }
  | { kind: 'ALREADY_PROCESSED' | 'BUSY' };

const waitingStatuses = ['PENDING', 'READY', 'IN_PROGRESS', 'WAITING'];

async function processRow(tx: Tx, row: InboxRow, at: string): Promise<CallbackOutcome> {
  const reject = async (reason: string): Promise<CallbackOutcome> => {
    await markInboxProcessed(tx, [row.tenant_id, row.id, at, reason, null]);
    return { kind: 'REJECTED', reason };
  };
  const parsed = partnerCallbackSchema.safeParse(row.payload);
  if (!parsed.success) return reject(`CALLBACK.INVALID_PAYLOAD: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`.slice(0, 2000));
  const callback: PartnerCallback = parsed.data;
  const named = (await selectExternalCallByCorrelation(tx, [row.tenant_id, row.source_system, callback.externalCorrelationId]))[0];
  if (!named) return reject(`CALLBACK.UNKNOWN_CORRELATION: no ${row.source_system} request has external correlation id ${callback.externalCorrelationId}`);
  const planOf = named.fulfillment_task_id === null ? undefined : await selectFulfillmentTask(tx, { tenantId: row.tenant_id, taskId: named.fulfillment_task_id });
  if (planOf) await lockPlan(tx, { tenantId: row.tenant_id, fulfillmentPlanId: planOf.fulfillment_plan_id });
  // Read again under the plan lock: a submit or another callback may have moved it meanwhile.
  const call = (await selectExternalCallByCorrelation(tx, [row.tenant_id, row.source_system, callback.externalCorrelationId]))[0]!;
  const message = callbackMessages.find((candidate) => candidate.system === (row.source_system as ExternalSystem));
  const summary = { outcome: callback.outcome, reference: callback.reference, reason: callback.reason, result: callback.result ?? {} };
  const evidence = (taskId: string | null, compensationTaskId: string | null) =>
    insertEvidence(tx, [row.tenant_id, randomUUID(), call.order_id, taskId, compensationTaskId, 'CALLBACK', row.source_system, callback.externalCorrelationId, call.id, row.id, callback.reference ?? null, JSON.stringify(summary), contentHash(summary), `partner:${row.source_system}`, at]);

  // An undo request of compensation: its confirmation is evidence; nothing waits on it.
  if (call.compensation_task_id !== null) {
    await evidence(null, call.compensation_task_id);
    await markInboxProcessed(tx, [row.tenant_id, row.id, at, null, call.id]);
    return { kind: 'EVIDENCE_ONLY', taskId: null };
  }
  const ownRow = await selectFulfillmentTask(tx, { tenantId: row.tenant_id, taskId: call.fulfillment_task_id!, forUpdate: true });
  const own = storedTaskFromRow(ownRow!, []);
  const awaited = (taskType: string) => message !== undefined && (message.awaitedBy as readonly string[]).includes(taskType);
  // A synchronous task (a scheduled shipment) is done already; its callback ends a later wait-only task.
  let target = awaited(own.task.taskType) && own.task.executionMode !== 'AUTOMATED_SYNC' ? own : undefined;
  if (!target) {
    const planTasks = await loadPlanTasks(tx, { tenantId: row.tenant_id, fulfillmentPlanId: own.task.fulfillmentPlanId });
    target = planTasks.find((t) => t.task.executionMode === 'WAIT_ONLY' && t.task.dependsOn.includes(own.task.taskId) && awaited(t.task.taskType));
  }
  if (!target) return reject(`CALLBACK.NOT_AWAITED: no task of order ${call.order_id} waits for a ${row.source_system} callback of request ${call.id}`);

  if (target === own) {
    // A repeat of a callback already applied to this request.
    if (call.status === 'SUCCEEDED' || call.status === 'FAILED') {
      await markInboxProcessed(tx, [row.tenant_id, row.id, at, 'CALLBACK.DUPLICATE: the request already has its result', call.id]);
      return { kind: 'DUPLICATE', taskId: own.task.taskId };
    }
    const latest = (await selectLatestAttempt(tx, [row.tenant_id, own.task.taskId]))[0];
    await evidence(own.task.taskId, null);
    await updateExternalCall(tx, [row.tenant_id, callback.outcome, contentHash(summary), callback.outcome === 'FAILED' ? 'CALLBACK_FAILED' : null, callback.reason ?? null, call.id]);
    if (latest?.id !== call.external_correlation_id || call.status === 'TIMED_OUT' || !waitingStatuses.includes(own.task.status)) {
      await markInboxProcessed(tx, [row.tenant_id, row.id, at, 'CALLBACK.SUPERSEDED: the task no longer waits on this request', call.id]);
      return { kind: 'SUPERSEDED', taskId: own.task.taskId };
    }
  } else {
    if (!waitingStatuses.includes(target.task.status)) {
      await markInboxProcessed(tx, [row.tenant_id, row.id, at, 'CALLBACK.SUPERSEDED: the waiting task is no longer waiting', call.id]);
      return { kind: 'SUPERSEDED', taskId: target.task.taskId };
    }
    await evidence(target.task.taskId, null);
  }

  const ref = (await selectWorkflowRef(tx, [row.tenant_id, call.order_id, target.task.fulfillmentPlanId]))[0];
  const correlation = await requestMessageCorrelation(tx, {
    tenantId: row.tenant_id,
    processInstanceKey: ref?.process_instance_key ?? 'not-started',
    messageName: message!.name,
    correlationKey: taskCorrelationKey(row.tenant_id, call.order_id, target.task.taskId),
    aggregateType: aggregateTypes.task,
    aggregateId: target.task.taskId,
    causeId: call.id,
    variables: {},
    timeToLiveMs: callbackMessageTtlMs,
  });
  await markInboxProcessed(tx, [row.tenant_id, row.id, at, correlation.inserted ? null : 'CALLBACK.DUPLICATE: already correlated', call.id]);
  return correlation.inserted ? { kind: 'CORRELATED', taskId: target.task.taskId, correlationId: correlation.id } : { kind: 'DUPLICATE', taskId: target.task.taskId };
}

/** Processes one stored callback in its own transaction (the callback route calls it right after storing). */
export async function processCallback(pool: pg.Pool, params: { tenantId: string; callbackId: string }, deps: CommandDeps = {}): Promise<CallbackOutcome> {
  try {
    return await processCallbackOnce(pool, params, deps);
  } catch (error) {
    if (isTransient(error)) throw error;
    // Not something a retry cures (a bug, data that breaks a rule): stored as the callback's
    // processing error, so the recovery loop does not try it again and again; it stays in the inbox.
    const reason = `${error instanceof FulfillmentError ? `${error.code}: ` : ''}${(error as Error).message}`.slice(0, 2000);
    await markInboxProcessed(pool, [params.tenantId, params.callbackId, nowOf(deps), reason, null]);
    return { kind: 'REJECTED', reason };
  }
}

async function processCallbackOnce(pool: pg.Pool, params: { tenantId: string; callbackId: string }, deps: CommandDeps): Promise<CallbackOutcome> {
  const { outcome, system } = await withTransaction(pool, async (tx) => {
    const row = (await claimInboxRow(tx, [params.tenantId, params.callbackId]))[0];
    if (!row) return { outcome: { kind: 'BUSY' } as const, system: '' };
    if (row.processed_at !== null) return { outcome: { kind: 'ALREADY_PROCESSED' } as const, system: row.source_system };
    return { outcome: await processRow(tx, row, nowOf(deps)), system: row.source_system };
  });
  if (outcome.kind === 'DUPLICATE') deps.metrics?.callbackDuplicate.inc({ system });
  return outcome;
}

/**
 * Processes up to `limit` unprocessed callbacks, each in its own transaction: recovery after a
 * crash between storing a callback and processing it. Returns how many were looked at.
 */
export async function processPendingCallbacks(pool: pg.Pool, limit: number, deps: CommandDeps = {}): Promise<number> {
  const rows = await claimUnprocessedInbox(pool, [limit]);
  for (const row of rows) await processCallback(pool, { tenantId: row.tenant_id, callbackId: row.id }, deps);
  return rows.length;
}
