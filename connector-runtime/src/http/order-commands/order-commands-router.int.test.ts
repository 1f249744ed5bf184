/**
 * The order commands and the internal worker API over HTTP, on real PostgreSQL: each command's
 * happy path and its refusals (bad body, unknown or foreign id, a state that does not allow it),
 * and that a refused command writes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFulfillmentTimeout } from '../../commands/task-execution';
import { openFulfillmentFallout } from '../../commands/fallout';
import { newJobKey, openHandlerKit, taskVariables, waitingProvisioningTask, type HandlerKit, type StartedOrder } from '../../jobs/fixtures/handler-test-kit';
import { createApp } from '../app';
import { internalWorkflowsRouter } from './internal-workflows-router';
import { orderCommandsRouter } from './order-commands-router';

let kit: HandlerKit;
let server: Server;
let base: string;
/** The tenant the next request acts for (the test's stand-in for authentication). */
let caller = { subject: 'alice', tenantId: 'nobody' };

beforeAll(async () => {
  kit = await openHandlerKit('http_commands');
  const principal = Router();
  principal.use((_req, res, next) => {
    res.locals['principal'] = { ...caller, roles: ['operator', 'integration'] };
    next();
  });
  const app = createApp({
    log: pino({ level: 'silent' }),
    registry: new Registry(),
    readiness: [],
    routers: [principal, orderCommandsRouter(kit.pool, { ...kit.deps, restAddress: undefined }), internalWorkflowsRouter(kit.deps)],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await kit?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; type: string }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, type: response.headers.get('content-type') ?? '' };
}

async function taskInFallout(started: StartedOrder): Promise<string> {
  const taskId = await waitingProvisioningTask(kit, started);
  await applyFulfillmentTimeout(kit.pool, { ...taskVariables(started, taskId), taskId, idempotencyKey: newJobKey(), actor: 'test' }, kit.deps);
  await openFulfillmentFallout(kit.pool, { ...taskVariables(started, taskId), subjectId: taskId, idempotencyKey: newJobKey(), actor: 'test' });
  return taskId;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  return (await kit.pool.query(sql, params)).rowCount ?? 0;
}

describe('order commands over HTTP', () => {
  it('given a task in fallout, when retried over HTTP, then the task is READY and the case REPAIRED; a second retry is refused with 409', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    const taskId = await taskInFallout(started);
    const path = `/api/v1/orders/${started.order.orderId}/fulfillment-tasks/${taskId}/retry`;
    const first = await post(path, { reason: 'partner fixed the address' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ taskId, status: 'REPAIRED' });
    expect((await kit.pool.query('select status from fulfillment_task where id = $1', [taskId])).rows[0]).toEqual({ status: 'READY' });
    const again = await post(path, { reason: 'partner fixed the address' });
    expect(again.status).toBe(409);
    expect(again.type).toContain('application/problem+json');
  });

  it('given a skip without an approval reference, then 400 naming the field and nothing changes; with one, the task is SKIPPED', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    const taskId = await taskInFallout(started);
    const path = `/api/v1/orders/${started.order.orderId}/fulfillment-tasks/${taskId}/skip`;
    const refused = await post(path, { reason: 'not needed for this customer' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('approvalReference');
    expect((await kit.pool.query('select status from fulfillment_task where id = $1', [taskId])).rows[0]).toEqual({ status: 'FALLOUT' });
    const skipped = await post(path, { reason: 'not needed for this customer', approvalReference: 'APPROVAL-7' });
    expect(skipped.status).toBe(200);
    expect((await kit.pool.query('select status from fulfillment_task where id = $1', [taskId])).rows[0]).toEqual({ status: 'SKIPPED' });
  });

  it('given another tenant, then the same order and task are not found and nothing is written', async () => {
    const started = await kit.startedOrder();
    const taskId = await taskInFallout(started);
    caller = { subject: 'mallory', tenantId: 'tenant-other' };
    const audit = await count('select 1 from audit_log where tenant_id = $1', [started.tenantId]);
    for (const path of [`/api/v1/orders/${started.order.orderId}/fulfillment-tasks/${taskId}/retry`, `/api/v1/orders/${started.order.orderId}/cancel`]) {
      const answer = await post(path, { reason: 'let me in please' });
      expect(answer.status).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain(started.tenantId);
    }
    expect(await count('select 1 from audit_log where tenant_id = $1', [started.tenantId])).toBe(audit);
  });

  it('given cancel twice, then the order is CANCEL_REQUESTED once with one cancel message queued', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'bob', tenantId: started.tenantId };
    const path = `/api/v1/orders/${started.order.orderId}/cancel`;
    expect((await post(path, { reason: 'customer withdrew the order' })).body).toMatchObject({ status: 'CANCEL_REQUESTED', alreadyRequested: false });
    expect((await post(path, { reason: 'customer withdrew the order' })).body).toMatchObject({ status: 'CANCEL_REQUESTED', alreadyRequested: true });
    expect(await count(`select 1 from workflow_message_correlation where tenant_id = $1 and message_name = 'order-cancel-requested'`, [started.tenantId])).toBe(1);
  });

  it('given If-Match with a version the order no longer has, then 412 and nothing happens; with the current ETag the command runs', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'bob', tenantId: started.tenantId };
    const path = `/api/v1/orders/${started.order.orderId}/cancel`;
    const stale = await post(path, { reason: 'customer withdrew the order' }, { 'If-Match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    expect((await kit.pool.query('select status from customer_order where id = $1', [started.order.orderId])).rows[0]).toEqual({ status: 'IN_FULFILLMENT' });
    const version = (await kit.pool.query<{ version: string }>('select version::text as version from customer_order where id = $1', [started.order.orderId])).rows[0]!.version;
    const current = await post(path, { reason: 'customer withdrew the order' }, { 'If-Match': `"${version}"` });
    expect(current.status).toBe(202);
    expect(current.body).toMatchObject({ status: 'CANCEL_REQUESTED' });
  });

  it('given bad input, then 400 problem+json: malformed JSON, a bad id, an unknown member', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'bob', tenantId: started.tenantId };
    expect((await post(`/api/v1/orders/${started.order.orderId}/cancel`, '{"reason":')).status).toBe(400);
    expect((await post(`/api/v1/orders/not-a-uuid/cancel`, { reason: 'customer withdrew the order' })).status).toBe(400);
    const extra = await post(`/api/v1/orders/${started.order.orderId}/cancel`, { reason: 'customer withdrew the order', force: true });
    expect(extra.status).toBe(400);
    expect(extra.type).toContain('application/problem+json');
  });

  it('given a manual decision on a task that does not wait for one, then 409 and nothing is sent', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'tina', tenantId: started.tenantId };
    const answer = await post(`/api/v1/orders/${started.order.orderId}/fulfillment-tasks/${await started.taskId(3)}/manual-decisions`, { decision: 'COMPLETE', reason: 'done on site, line tested' });
    expect(answer.status).toBe(409);
  });
});

describe('internal worker API', () => {
  it('given execute-task twice with one Idempotency-Key, then one attempt and one partner call, the same answer', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'connector', tenantId: started.tenantId };
    const taskId = await started.taskId(3);
    const key = randomUUID();
    const path = `/internal/workflows/orders/${started.order.orderId}/execute-task`;
    const body = { variables: { orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, currentTaskId: taskId }, headers: { phase: 'VALIDATION' } };
    const first = await post(path, body, { 'Idempotency-Key': key });
    const second = await post(path, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ currentTaskResult: 'COMPLETED', currentTaskType: 'CHECK_SERVICEABILITY' });
    expect(second.body).toEqual(first.body);
    expect(kit.partners.inventory.calls.filter((call) => call.taskId === taskId)).toHaveLength(1);
    expect(await count('select 1 from fulfillment_task_attempt where fulfillment_task_id = $1', [taskId])).toBe(1);
  });

  it('given variables that break the job contract or name another order, then 400 naming the field and nothing written', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'connector', tenantId: started.tenantId };
    const path = `/internal/workflows/orders/${started.order.orderId}/execute-task`;
    const bad = await post(path, { variables: { orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, currentTaskId: 'ft-1' } }, { 'Idempotency-Key': randomUUID() });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.variables.currentTaskId');
    const other = await post(path, { variables: { orderId: randomUUID(), fulfillmentPlanId: started.fulfillmentPlanId, currentTaskId: randomUUID() } }, { 'Idempotency-Key': randomUUID() });
    expect(other.status).toBe(400);
    const missingKey = await post(path, { variables: { orderId: started.order.orderId, fulfillmentPlanId: started.fulfillmentPlanId, currentTaskId: await started.taskId(3) } });
    expect(missingKey.status).toBe(400);
    expect(await count('select 1 from fulfillment_task_attempt where tenant_id = $1', [started.tenantId])).toBe(0);
  });

  it('given a plan of the tenant named with another order, or a revert for an order that is not there, then 404 and nothing is written', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'connector', tenantId: started.tenantId };
    const otherOrder = randomUUID();
    const audit = await count('select 1 from audit_log where tenant_id = $1', [started.tenantId]);
    const compensation = await post(
      `/internal/workflows/orders/${otherOrder}/start-compensation`,
      { variables: { orderId: otherOrder, fulfillmentPlanId: started.fulfillmentPlanId }, headers: { compensationReason: 'ORDER_CANCELLED' } },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(compensation.status).toBe(404);
    const revert = await post(`/internal/workflows/orders/${otherOrder}/execute-compensation-task`, { variables: { orderId: otherOrder, fulfillmentPlanId: randomUUID() } }, { 'Idempotency-Key': randomUUID() });
    expect(revert.status).toBe(404);
    expect(await count('select 1 from audit_log where tenant_id = $1', [started.tenantId])).toBe(audit);
    expect(await count('select 1 from compensation_plan where tenant_id = $1', [started.tenantId])).toBe(0);
  });
});
