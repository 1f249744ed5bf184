/**
 * The order API's commands (seed §13, §17, §22, §25): start fulfillment, cancel, repair a fallout
 * case, retry or skip a task in fallout, and take a manual decision. Each route is a thin door to
 * the OMS command the job handlers call too; the tenant is the caller's (`res.locals.principal`),
 * so another tenant's order is simply not found.
 *
 * A manual decision has two doors and one command (issue 11): here the API completes the open
 * Tasklist user task with the decision, exactly as the form would, and the model's
 * `apply-manual-decision` job applies it through the OMS; the answer waits (up to 10 s) for the OMS
 * to show the result. A task that is not waiting for a person is refused with 409 before anything
 * is sent.
 *
 * Every command takes an optional `If-Match` with the order's ETag (its row version, as
 * `GET /api/v1/orders/{id}` sends it): when the order changed since, 412 and nothing happens.
 */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { cancelOrder } from '../../commands/cancel-order';
import { principalOf } from '../auth';
import type { CommandDeps } from '../../commands/command-context';
import { findOpenFalloutCase, repairFallout } from '../../commands/fallout';
import { startFulfillment } from '../../commands/start-fulfillment';
import { manualDecisions } from '../../domain/vocabulary';
import { findUserTaskOf, TasklistTechnician } from '../../engine/tasklist-client';
import { BusinessError, InvalidTransitionError, NotFoundError, ValidationError } from '../../errors';
import { selectOrder } from '../../store/queries/select-order';
import { falloutRepairOutcomes } from '../../jobs/model-names';
import { manualDecisionReasonMaxLength, manualDecisionReasonMinLength, manualDecisionReferenceMaxLength } from '../../jobs/apply-manual-decision/schema';
import { withTransaction } from '../../store/database';
import { selectFulfillmentTask } from '../../store/queries/select-fulfillment-task';
import { selectWorkflowRef } from '../../store/queries/fulfillment-workflow';

/** Who calls: the principal the authentication middleware resolved. */
const callerOf = principalOf;

/** `If-Match` named a version of the order that is no longer current (HTTP 412). */
export class OrderPreconditionFailedError extends BusinessError {
  constructor(orderId: string, expected: string, current: string) {
    super('ORDER.PRECONDITION_FAILED', `order ${orderId} is at version ${current}, not ${expected}: read it again and decide again`, { orderId, expected, current });
  }
}

/** The order row's version as an entity tag (`GET /api/v1/orders/{id}` sends the same). */
async function orderVersionTag(pool: pg.Pool, tenantId: string, orderId: string): Promise<string> {
  const row = await selectOrder(pool, { tenantId, orderId });
  if (!row) throw new NotFoundError('order', orderId);
  return `"${row.version}"`;
}

/**
 * Optimistic concurrency for people who decided on what they saw: an `If-Match` with the order's
 * ETag must still be current, else 412 and nothing happens. Without `If-Match` the command runs.
 */
async function checkIfMatch(pool: pg.Pool, req: Request, tenantId: string, orderId: string): Promise<void> {
  const expected = req.get('If-Match');
  if (expected === undefined || expected.trim() === '*') return;
  const current = await orderVersionTag(pool, tenantId, orderId);
  const offered = expected.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!offered.includes(current)) throw new OrderPreconditionFailedError(orderId, expected, current);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(`${what} is invalid`, result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })));
}

const orderPath = z.object({ orderId: z.uuid() });
const taskPath = z.object({ orderId: z.uuid(), taskId: z.uuid() });
const casePath = z.object({ orderId: z.uuid(), falloutCaseId: z.uuid() });
const reason = z.string().trim().min(manualDecisionReasonMinLength).max(manualDecisionReasonMaxLength);
const reference = z.string().trim().min(1).max(manualDecisionReferenceMaxLength);

/** Bodies of the commands. */
export const orderCommandBodies = {
  start: z.strictObject({}).optional(),
  cancel: z.strictObject({ reason }),
  repair: z.strictObject({ outcome: z.enum(falloutRepairOutcomes), resolution: z.enum(['COMPLETE', 'SKIP']).optional(), reason, approvalReference: reference.optional(), evidenceReference: reference.optional() }),
  retry: z.strictObject({ reason }),
  skip: z.strictObject({ reason, approvalReference: reference }),
  manualDecision: z
    .strictObject({ decision: z.enum(manualDecisions), reason, evidenceReference: reference.optional(), approvalReference: reference.optional() })
    .refine((body) => body.decision !== 'SKIP_WITH_APPROVAL' || body.approvalReference !== undefined, { path: ['approvalReference'], message: 'SKIP_WITH_APPROVAL needs an approval reference' }),
};

/** What the router needs. */
export interface OrderCommandsDeps extends CommandDeps {
  /** Camunda 8 REST address (the local engine's or the cluster's) for completing user tasks. */
  restAddress: string | undefined;
  /** How long a manual decision waits for the OMS to show its result (default 10 s). */
  decisionWaitMs?: number;
}

async function planOf(pool: pg.Pool, tenantId: string, orderId: string, taskId: string): Promise<{ fulfillmentPlanId: string; status: string }> {
  const row = await selectFulfillmentTask(pool, { tenantId, taskId });
  if (!row || row.order_id !== orderId) throw new NotFoundError('task', taskId);
  return { fulfillmentPlanId: row.fulfillment_plan_id, status: row.status };
}

/** Builds the router. */
export function orderCommandsRouter(pool: pg.Pool, deps: OrderCommandsDeps): Router {
  const router = Router();
  const actor = (res: Response) => `api:${callerOf(res).subject}`;

  router.post('/api/v1/orders/:orderId/fulfillment/start', async (req: Request, res: Response) => {
    const { orderId } = parse(orderPath, req.params, 'path');
    parse(orderCommandBodies.start, req.body ?? undefined, 'body');
    const { tenantId } = callerOf(res);
    await checkIfMatch(pool, req, tenantId, orderId);
    const started = await startFulfillment(pool, { tenantId, orderId, actor: actor(res) }, deps);
    res.status(202).set('ETag', await orderVersionTag(pool, tenantId, orderId)).json({ orderId, ...started });
  });

  router.post('/api/v1/orders/:orderId/cancel', async (req, res) => {
    const { orderId } = parse(orderPath, req.params, 'path');
    const body = parse(orderCommandBodies.cancel, req.body, 'body');
    const { tenantId } = callerOf(res);
    await checkIfMatch(pool, req, tenantId, orderId);
    const result = await cancelOrder(pool, { tenantId, orderId, reason: body.reason, actor: actor(res) }, deps);
    res.status(202).set('ETag', await orderVersionTag(pool, tenantId, orderId)).json({ orderId, ...result });
  });

  router.post('/api/v1/orders/:orderId/fallout-cases/:falloutCaseId/repair', async (req, res) => {
    const { orderId, falloutCaseId } = parse(casePath, req.params, 'path');
    const body = parse(orderCommandBodies.repair, req.body, 'body');
    await checkIfMatch(pool, req, callerOf(res).tenantId, orderId);
    const who = actor(res);
    const result = await repairFallout(
      pool,
      {
        tenantId: callerOf(res).tenantId,
        orderId,
        falloutCaseId,
        outcome: body.outcome,
        resolution: body.resolution,
        reason: body.reason,
        actor: who,
        approvedBy: body.approvalReference ? `${who} (approval ${body.approvalReference})` : body.resolution === 'COMPLETE' ? who : undefined,
        evidenceReference: body.evidenceReference,
      },
      deps,
    );
    res.json({ orderId, falloutCaseId, ...result });
  });

  /** Retry and skip act on the task's open fallout case: a repair is the only way out of fallout. */
  const repairOfTask = (outcome: 'RETRY' | 'RESUME') => async (req: Request, res: Response) => {
    const { orderId, taskId } = parse(taskPath, req.params, 'path');
    const body = parse(outcome === 'RETRY' ? orderCommandBodies.retry : orderCommandBodies.skip, req.body, 'body') as { reason: string; approvalReference?: string };
    const { tenantId } = callerOf(res);
    await checkIfMatch(pool, req, tenantId, orderId);
    const { fulfillmentPlanId, status } = await planOf(pool, tenantId, orderId, taskId);
    const falloutCase = await withTransaction(pool, (tx) => findOpenFalloutCase(tx, { tenantId, fulfillmentPlanId, subjectId: taskId }));
    if (!falloutCase) throw new InvalidTransitionError('task', status, outcome === 'RETRY' ? 'READY' : 'SKIPPED', { taskId, reason: 'only a task with an open fallout case is retried or skipped' });
    const who = actor(res);
    const result = await repairFallout(
      pool,
      {
        tenantId,
        orderId,
        falloutCaseId: falloutCase.id,
        outcome,
        ...(outcome === 'RESUME' ? { resolution: 'SKIP' as const, approvedBy: `${who} (approval ${body.approvalReference})` } : {}),
        reason: body.reason,
        actor: who,
      },
      deps,
    );
    res.json({ orderId, taskId, falloutCaseId: falloutCase.id, ...result });
  };
  router.post('/api/v1/orders/:orderId/fulfillment-tasks/:taskId/retry', repairOfTask('RETRY'));
  router.post('/api/v1/orders/:orderId/fulfillment-tasks/:taskId/skip', repairOfTask('RESUME'));

  router.post('/api/v1/orders/:orderId/fulfillment-tasks/:taskId/manual-decisions', async (req, res) => {
    const { orderId, taskId } = parse(taskPath, req.params, 'path');
    const body = parse(orderCommandBodies.manualDecision, req.body, 'body');
    const { tenantId } = callerOf(res);
    await checkIfMatch(pool, req, tenantId, orderId);
    const { fulfillmentPlanId, status } = await planOf(pool, tenantId, orderId, taskId);
    if (status !== 'WAITING' && status !== 'FALLOUT') {
      throw new InvalidTransitionError('task', status, body.decision, { taskId, reason: 'the task is not waiting for a decision' });
    }
    const ref = (await selectWorkflowRef(pool, [tenantId, orderId, fulfillmentPlanId]))[0];
    if (!ref || !deps.restAddress) throw new InvalidTransitionError('task', status, body.decision, { taskId, reason: 'no process instance waits on this task' });
    const userTask = await findUserTaskOf(deps.restAddress, ref.process_instance_key, taskId);
    if (!userTask) throw new InvalidTransitionError('task', status, body.decision, { taskId, reason: 'no open user task waits for this decision (yet)' });
    await new TasklistTechnician(deps.restAddress).complete(userTask.userTaskKey, {
      decision: body.decision,
      reason: body.reason,
      evidenceReference: body.evidenceReference ?? null,
      approvalReference: body.approvalReference ?? null,
    });
    // The decision is applied by the model's apply-manual-decision job; show its result when it is there.
    const deadline = Date.now() + (deps.decisionWaitMs ?? 10_000);
    let after = status;
    while (Date.now() < deadline) {
      after = (await planOf(pool, tenantId, orderId, taskId)).status;
      if (after !== status) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (after === status) {
      res.status(202).json({ orderId, taskId, decision: body.decision, status: after, applied: false });
      return;
    }
    res.json({ orderId, taskId, decision: body.decision, status: after, applied: true });
  });

  return router;
}

