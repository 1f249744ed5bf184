/**
 * The order API's intake and read side over HTTP, on real PostgreSQL: each route's happy path, bad
 * input (malformed JSON, wrong content type, a field the schema refuses, a product the catalog does
 * not know), an unknown id, another tenant's id (the same 404, leaking nothing), keyset paging, and
 * that a refused order writes no row.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeValidatedOrder, startFulfillment } from '../../commands/start-fulfillment';
import { sampleBundleOrder } from '../../demo/sample-order';
import { claimTask, openHandlerKit, waitingProvisioningTask, type HandlerKit } from '../../jobs/fixtures/handler-test-kit';
import { uniqueTenantId } from '../../store/fixtures/store-test-database';
import { createApp } from '../app';
import { timelineCap } from './order-reads';
import { ordersRouter } from './orders-router';

let kit: HandlerKit;
let server: Server;
let base: string;
/** The tenant the next request acts for (the test's stand-in for authentication). */
let caller = { subject: 'alice', tenantId: 'nobody' };

beforeAll(async () => {
  kit = await openHandlerKit('http_orders');
  const principal = Router();
  principal.use((_req, res, next) => {
    res.locals['principal'] = { ...caller, roles: ['viewer', 'operator'] };
    next();
  });
  const app = createApp({ log: pino({ level: 'silent' }), registry: new Registry(), readiness: [], routers: [principal, ordersRouter(kit.pool)] });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await kit?.close();
});

interface Answer {
  status: number;
  headers: Headers;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read the JSON freely
  body: any;
}

async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: options.headers ?? {} };
  if (options.body !== undefined) {
    init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    init.headers = { 'content-type': 'application/json', ...options.headers };
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

const get = (path: string, headers: Record<string, string> = {}) => call('GET', path, { headers });

/** An intake body: the sample bundle's items with fresh ids and neither tenant nor order id. */
function intakeBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { items } = sampleBundleOrder('ignored');
  return { quoteId: `Q-${randomUUID().slice(0, 8)}`, customer: { customerId: 'C-1', name: 'Siti' }, items, ...extra };
}

async function rowsOf(tenantId: string): Promise<{ orders: number; items: number }> {
  const orders = await kit.pool.query('select 1 from customer_order where tenant_id = $1', [tenantId]);
  const items = await kit.pool.query('select 1 from order_item where tenant_id = $1', [tenantId]);
  return { orders: orders.rowCount ?? 0, items: items.rowCount ?? 0 };
}

/** A fresh tenant acting as the caller. */
function asNewTenant(): string {
  const tenantId = uniqueTenantId();
  caller = { subject: 'alice', tenantId };
  return tenantId;
}

/** Everything of a problem body that would tell one 404 from another, ids and request id left out. */
function shapeOf(problem: Record<string, unknown>, id: string): unknown {
  const { requestId: _requestId, ...rest } = problem;
  return JSON.parse(JSON.stringify(rest).replaceAll(id, '<id>'));
}

/** Pages through a list until its end; returns every page. */
async function allPages(path: string, limit: number): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }[]> {
  const pages = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    pages.push(answer.body);
    cursor = answer.body.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return pages;
}

describe('POST /api/v1/orders', () => {
  it('given the same quote posted twice (two orders from one quote), then two orders with items of their own', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody({});
    const first = await call('POST', '/api/v1/orders', { body });
    const second = await call('POST', '/api/v1/orders', { body });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.orderId).not.toBe(first.body.orderId);
    expect(await rowsOf(tenantId)).toEqual({ orders: 2, items: 8 });
  });

  it('given a valid order from an accepted quote, when posted, then 201 with Location, ETag and the order view, and GET finds the same order', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody({ externalRef: 'CRM-1001', quoteId: 'Q-2026-0042', customer: { customerId: 'C-77', name: 'Dewi Lestari' } });
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ quoteId: 'Q-2026-0042', customer: { customerId: 'C-77', name: 'Dewi Lestari' } });
    const orderId = answer.body.orderId as string;
    expect(answer.headers.get('location')).toBe(`/api/v1/orders/${orderId}`);
    expect(answer.headers.get('etag')).toBe('"0"');
    expect(answer.body).toMatchObject({
      externalRef: 'CRM-1001',
      status: 'VALIDATED',
      orderVersion: 1,
      completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE',
      fulfillmentPlan: null,
      workflow: null,
    });
    expect(answer.body.items).toHaveLength(4);
    // The quote's line ids name lines within the request; the order's items get ids of their own.
    const { orderItemId: quoteLine, parentItemId: quoteParent, ...line } = (body.items as Record<string, unknown>[])[1]!;
    expect(answer.body.items[1]).toMatchObject({ ...line, lineNo: 2, status: 'VALIDATED' });
    expect(answer.body.items[1].orderItemId).not.toBe(quoteLine);
    expect(answer.body.items[1].parentItemId).toBe(quoteParent === undefined ? undefined : answer.body.items[0].orderItemId);
    expect(await rowsOf(tenantId)).toEqual({ orders: 1, items: 4 });

    const again = await get(`/api/v1/orders/${orderId}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(answer.body);
    expect(again.headers.get('etag')).toBe('"0"');
  });

  it('given orderVersion and completionPolicy, then they are kept', async () => {
    asNewTenant();
    const answer = await call('POST', '/api/v1/orders', { body: intakeBody({ orderVersion: 3, completionPolicy: 'COMPLETION_ALLOWS_BILLING_PENDING' }) });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ orderVersion: 3, completionPolicy: 'COMPLETION_ALLOWS_BILLING_PENDING', externalRef: null });
  });

  it('given malformed JSON, then 400 problem+json and no row', async () => {
    const tenantId = asNewTenant();
    const answer = await call('POST', '/api/v1/orders', { body: '{"items": [' });
    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given a body that is not JSON, then 415 and no row', async () => {
    const tenantId = asNewTenant();
    const answer = await call('POST', '/api/v1/orders', { body: JSON.stringify(intakeBody()), headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(415);
    expect(answer.type).toContain('application/problem+json');
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given an item with action FOO, a bad customer email and a tenantId in the body, then 400 naming every field and no row', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody({ tenantId: 'someone-else', customer: { email: 'not-an-email' } });
    (body.items as Record<string, unknown>[])[2]!.action = 'FOO';
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INPUT.INVALID');
    const paths = (answer.body.errors as { path: string }[]).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['items.2.action', 'customer.email', '(root)']));
    expect(JSON.stringify(answer.body.errors)).toContain('tenantId');
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given an order that breaks a cross-item rule, then 400 with the rule code and the path', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody();
    const items = body.items as Record<string, unknown>[];
    items[1] = { ...items[1], action: 'DISCONNECT' };
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'items.1.attributes.existingAssetId', code: 'ORDER.EXISTING_ASSET_REQUIRED' })]));
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given no items, a negative orderVersion or an unknown completion policy, then 400 naming them', async () => {
    asNewTenant();
    const answer = await call('POST', '/api/v1/orders', { body: { orderVersion: -1, completionPolicy: 'WHENEVER' } });
    expect(answer.status).toBe(400);
    expect((answer.body.errors as { path: string }[]).map((issue) => issue.path)).toEqual(expect.arrayContaining(['orderVersion', 'completionPolicy', 'items']));
  });

  it('given a string holding U+0000, then 400 naming it (PostgreSQL could not store it) and no row', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody();
    const items = body.items as { attributes: Record<string, unknown> }[];
    items[0]!.attributes = { ...items[0]!.attributes, note: 'a\u0000b' };
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'items.0.attributes.note' })]);
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given a product code the catalog does not know, then 422 CATALOG.UNKNOWN_PRODUCT naming the item, and no row', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody();
    (body.items as Record<string, unknown>[])[2]!.productCode = 'ROUTER-WIFI99';
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(422);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body.code).toBe('CATALOG.UNKNOWN_PRODUCT');
    expect(answer.body.detail).toContain('items.2.productCode');
    expect(answer.body.detail).toContain('ROUTER-WIFI99');
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given a product with the wrong product type, then 422 CATALOG.PRODUCT_TYPE_MISMATCH and no row', async () => {
    const tenantId = asNewTenant();
    const body = intakeBody();
    (body.items as Record<string, unknown>[])[3]!.productCode = 'FIBER-500';
    const answer = await call('POST', '/api/v1/orders', { body });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('CATALOG.PRODUCT_TYPE_MISMATCH');
    expect(await rowsOf(tenantId)).toEqual({ orders: 0, items: 0 });
  });

  it('given an external reference another order of the tenant has, then 409 and the first order stays the only one', async () => {
    const tenantId = asNewTenant();
    expect((await call('POST', '/api/v1/orders', { body: intakeBody({ externalRef: 'CRM-7' }) })).status).toBe(201);
    const again = await call('POST', '/api/v1/orders', { body: intakeBody({ externalRef: 'CRM-7' }) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER.EXTERNAL_REF_TAKEN');
    expect(await rowsOf(tenantId)).toEqual({ orders: 1, items: 4 });
    // Another tenant may use the same reference.
    asNewTenant();
    expect((await call('POST', '/api/v1/orders', { body: intakeBody({ externalRef: 'CRM-7' }) })).status).toBe(201);
  });
});

describe('GET /api/v1/orders/{orderId}', () => {
  it('given a started order, then the view has its latest plan, the workflow ref and the row version as ETag; If-None-Match answers 304', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    const answer = await get(`/api/v1/orders/${started.order.orderId}`);
    expect(answer.status).toBe(200);
    const version = (await kit.pool.query<{ version: string }>('select version::text from customer_order where tenant_id = $1 and id = $2', [started.tenantId, started.order.orderId])).rows[0]!.version;
    expect(answer.headers.get('etag')).toBe(`"${version}"`);
    expect(answer.body).toMatchObject({
      orderId: started.order.orderId,
      fulfillmentPlan: { fulfillmentPlanId: started.fulfillmentPlanId, status: expect.any(String) },
      workflow: { processInstanceKey: started.processInstanceKey, status: 'ACTIVE' },
    });
    expect(answer.body.status).not.toBe('VALIDATED');
    // fetch adds Cache-Control: no-cache to a conditional request unless told otherwise, and express then never answers 304.
    const cached = await get(`/api/v1/orders/${started.order.orderId}`, { 'if-none-match': `"${version}"`, 'cache-control': 'max-age=0' });
    expect(cached.status).toBe(304);
  });

  it('given an id that is not a UUID, then 400 naming orderId', async () => {
    const answer = await get('/api/v1/orders/not-a-uuid');
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'orderId' })]);
  });

  it("given an unknown id and another tenant's id, then the same 404 that names nothing of the other tenant", async () => {
    const started = await kit.startedOrder();
    asNewTenant();
    const unknownId = randomUUID();
    const unknown = await get(`/api/v1/orders/${unknownId}`);
    const foreign = await get(`/api/v1/orders/${started.order.orderId}`);
    expect(unknown.status).toBe(404);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ORDER.NOT_FOUND');
    expect(shapeOf(foreign.body, started.order.orderId)).toEqual(shapeOf(unknown.body, unknownId));
    const text = JSON.stringify(foreign.body);
    expect(text).not.toContain(started.tenantId);
    expect(text).not.toContain(started.fulfillmentPlanId);
    expect(foreign.headers.get('etag') ?? '').not.toMatch(/^"\d+"$/);
  });
});

describe('GET /api/v1/orders', () => {
  it('given seven orders, three created at the same instant, when paged by two, then every order once, newest first, ties by id', async () => {
    const tenantId = asNewTenant();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const order = sampleBundleOrder(tenantId);
      await placeValidatedOrder(kit.pool, order, { actor: 'test' });
      ids.push(order.orderId);
    }
    // Same microsecond for three orders: only the id can order them.
    await kit.pool.query(`update customer_order set created_at = '2026-03-01T10:00:00.123456Z' where tenant_id = $1 and id = any($2::uuid[])`, [tenantId, ids.slice(2, 5)]);
    // Two orders one microsecond apart: a millisecond cursor would lose one of them.
    await kit.pool.query(`update customer_order set created_at = '2026-03-01T10:00:00.123457Z' where tenant_id = $1 and id = $2`, [tenantId, ids[5]]);
    // Another tenant's order never shows.
    await placeValidatedOrder(kit.pool, sampleBundleOrder(uniqueTenantId()), { actor: 'test' });

    const pages = await allPages('/api/v1/orders', 2);
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const seen = pages.flatMap((page) => page.items.map((item) => item.orderId as string));
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...ids].sort());
    const expected = (await kit.pool.query<{ id: string }>('select id from customer_order where tenant_id = $1 order by created_at desc, id desc', [tenantId])).rows.map((row) => row.id);
    expect(seen).toEqual(expected);
    expect(pages[0]!.items[0]).toMatchObject({ status: 'VALIDATED', itemCount: 4, fulfillmentPlan: null });

    const again = await allPages('/api/v1/orders', 2);
    expect(again.flatMap((page) => page.items.map((item) => item.orderId))).toEqual(seen);
  });

  it('given a status filter, then only orders in those statuses', async () => {
    const tenantId = asNewTenant();
    const placed = sampleBundleOrder(tenantId);
    const started = sampleBundleOrder(tenantId);
    await placeValidatedOrder(kit.pool, placed, { actor: 'test' });
    await placeValidatedOrder(kit.pool, started, { actor: 'test' });
    await startFulfillment(kit.pool, { tenantId, orderId: started.orderId, actor: 'test' });

    const ready = await get('/api/v1/orders?status=FULFILLMENT_READY');
    expect(ready.body.items.map((item: { orderId: string }) => item.orderId)).toEqual([started.orderId]);
    expect(ready.body.items[0].fulfillmentPlan).toMatchObject({ status: 'CREATED' });
    const both = await get('/api/v1/orders?status=VALIDATED,FULFILLMENT_READY');
    expect(both.body.items).toHaveLength(2);
    const repeated = await get('/api/v1/orders?status=VALIDATED&status=FULFILLMENT_READY');
    expect(repeated.body.items).toHaveLength(2);
    expect((await get('/api/v1/orders?status=COMPLETED')).body).toEqual({ items: [], nextCursor: null });
  });

  it('given a bad cursor, limit, status or an unknown parameter, then 400 naming it', async () => {
    asNewTenant();
    const cases: [string, string][] = [
      ['cursor=not-a-cursor!', 'cursor'],
      [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['status=SHIPPED', 'status.0'],
      ['stauts=VALIDATED', '(root)'],
    ];
    for (const [query, path] of cases) {
      const answer = await get(`/api/v1/orders?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.errors, query).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
  });
});

describe('GET /api/v1/orders/{orderId}/fulfillment-plan', () => {
  it('given a started order, then its latest plan with every task in plan order', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    const answer = await get(`/api/v1/orders/${started.order.orderId}/fulfillment-plan`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ fulfillmentPlanId: started.fulfillmentPlanId, orderId: started.order.orderId, catalogVersion: expect.any(String) });
    const tasks = answer.body.tasks as Record<string, unknown>[];
    expect(tasks.map((task) => task.sequence)).toEqual(tasks.map((_, index) => index + 1));
    expect(tasks).toHaveLength(15);
    expect(tasks[0]).toEqual({
      taskId: expect.any(String),
      orderItemId: expect.any(String),
      sequence: 1,
      taskType: 'UPDATE_INSTALLED_BASE',
      phase: 'INSTALLED_BASE',
      executionMode: 'AUTOMATED_SYNC',
      ownerSystem: 'installed-base',
      required: true,
      status: 'PENDING',
      dependsOn: [expect.any(String), expect.any(String)],
      attemptCount: 0,
      lastFailure: null,
      timeoutPolicy: expect.anything(),
      startedAt: null,
      completedAt: null,
    });
  });

  it('given an order without a plan yet, then 404 PLAN.NOT_FOUND', async () => {
    const tenantId = asNewTenant();
    const order = sampleBundleOrder(tenantId);
    await placeValidatedOrder(kit.pool, order, { actor: 'test' });
    const answer = await get(`/api/v1/orders/${order.orderId}/fulfillment-plan`);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('PLAN.NOT_FOUND');
  });

  it("given an unknown id, another tenant's id or a bad id, then 404, 404 and 400", async () => {
    const started = await kit.startedOrder();
    asNewTenant();
    const unknownId = randomUUID();
    const unknown = await get(`/api/v1/orders/${unknownId}/fulfillment-plan`);
    const foreign = await get(`/api/v1/orders/${started.order.orderId}/fulfillment-plan`);
    expect([unknown.status, foreign.status]).toEqual([404, 404]);
    expect(shapeOf(foreign.body, started.order.orderId)).toEqual(shapeOf(unknown.body, unknownId));
    expect(JSON.stringify(foreign.body)).not.toContain(started.fulfillmentPlanId);
    expect((await get('/api/v1/orders/123/fulfillment-plan')).status).toBe(400);
  });
});

describe('GET /api/v1/orders/{orderId}/fulfillment-tasks', () => {
  it('given a completed synchronous task and a waiting asynchronous one, then each task lists exactly its attempts, external calls and evidence', async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    const checked = await claimTask(kit, started, 3, []);
    const waiting = await waitingProvisioningTask(kit, started);
    const answer = await get(`/api/v1/orders/${started.order.orderId}/fulfillment-tasks`);
    expect(answer.status).toBe(200);
    expect(answer.body.fulfillmentPlanId).toBe(started.fulfillmentPlanId);
    const tasks = answer.body.tasks as { taskId: string; status: string; attempts: unknown[]; externalCalls: unknown[]; evidence: unknown[] }[];
    expect(tasks).toHaveLength(15);
    for (const task of tasks) {
      const count = async (table: string) => (await kit.pool.query(`select 1 from ${table} where tenant_id = $1 and fulfillment_task_id = $2`, [started.tenantId, task.taskId])).rowCount;
      expect(task.attempts.length, task.taskId).toBe(await count('fulfillment_task_attempt'));
      expect(task.externalCalls.length, task.taskId).toBe(await count('external_call_attempt'));
      expect(task.evidence.length, task.taskId).toBe(await count('task_evidence'));
    }
    const done = tasks.find((task) => task.taskId === checked)!;
    expect(done.status).toBe('COMPLETED');
    expect(done.attempts).toEqual([expect.objectContaining({ attemptNo: 1, status: 'SUCCEEDED', startedAt: expect.any(String), completedAt: expect.any(String) })]);
    expect(done.evidence[0]).toEqual(expect.objectContaining({ kind: expect.any(String), source: expect.any(String), recordedAt: expect.any(String) }));
    const submitted = tasks.find((task) => task.taskId === waiting)!;
    expect(submitted.status).toBe('WAITING');
    expect(submitted.externalCalls).toEqual([expect.objectContaining({ externalSystem: expect.any(String), status: 'SUBMITTED', submittedAt: expect.any(String) })]);
  });

  it("given an unknown id or another tenant's id, then the same 404", async () => {
    const started = await kit.startedOrder();
    asNewTenant();
    const unknownId = randomUUID();
    const unknown = await get(`/api/v1/orders/${unknownId}/fulfillment-tasks`);
    const foreign = await get(`/api/v1/orders/${started.order.orderId}/fulfillment-tasks`);
    expect([unknown.status, foreign.status]).toEqual([404, 404]);
    expect(shapeOf(foreign.body, started.order.orderId)).toEqual(shapeOf(unknown.body, unknownId));
    expect((await get('/api/v1/orders/x/fulfillment-tasks')).body.errors).toEqual([expect.objectContaining({ path: 'orderId' })]);
  });
});

describe('GET /api/v1/orders/{orderId}/timeline', () => {
  it('given an order with audit rows, events, a callback, message correlations, a fallout case and a compensation, then one list in time order with each kind', async () => {
    const started = await kit.startedOrder();
    const { tenantId } = started;
    const orderId = started.order.orderId;
    caller = { subject: 'alice', tenantId };
    const waiting = await waitingProvisioningTask(kit, started);
    const call = (await kit.pool.query<{ id: string; external_system: string }>('select id, external_system from external_call_attempt where tenant_id = $1 and fulfillment_task_id = $2', [tenantId, waiting])).rows[0]!;
    await kit.pool.query(
      `insert into callback_inbox (tenant_id, id, source_system, webhook_id, raw_payload, payload_hash, external_call_attempt_id, processing_error)
       values ($1, $2, $3, 'msg_timeline_1', '{}', 'sha256:x', $4, 'partner sent an unknown status')`,
      [tenantId, randomUUID(), call.external_system, call.id],
    );
    const other = await kit.startedOrder();
    for (const [key, tenant] of [
      [`${tenantId}:${orderId}:${waiting}`, tenantId],
      [`${tenantId}:${other.order.orderId}:${waiting}`, tenantId],
    ] as const) {
      await kit.pool.query(
        `insert into workflow_message_correlation (id, tenant_id, process_instance_key, message_name, correlation_key, aggregate_type, aggregate_id, cause_id, status, created_at)
         values ($1, $2, '1', 'provisioning-completed', $3, 'FulfillmentTask', $4, $5, 'PENDING', now())`,
        [randomUUID(), tenant, key, waiting, randomUUID()],
      );
    }

    await kit.pool.query(
      `insert into fallout_case (tenant_id, id, order_id, fulfillment_plan_id, fulfillment_task_id, idempotency_key, category, severity, reason, retryable, requires_manual_repair, source_system, status)
       values ($1, $2, $3, $4, $5, $6, 'EXTERNAL_SYSTEM_TIMEOUT', 'HIGH', 'no callback', true, true, 'provisioning-adapter', 'OPEN')`,
      [tenantId, randomUUID(), orderId, started.fulfillmentPlanId, waiting, `test:${randomUUID()}`],
    );
    const compensationPlanId = randomUUID();
    await kit.pool.query(
      `insert into compensation_plan (tenant_id, id, order_id, fulfillment_plan_id, idempotency_key, reason, status) values ($1, $2, $3, $4, $5, 'customer cancelled', 'IN_PROGRESS')`,
      [tenantId, compensationPlanId, orderId, started.fulfillmentPlanId, `test:${compensationPlanId}`],
    );
    await kit.pool.query(
      `insert into compensation_task (tenant_id, id, compensation_plan_id, fulfillment_plan_id, source_task_id, compensation_task_type, sequence, owner_system, status)
       values ($1, $2, $3, $4, $5, 'RELEASE_RESOURCE', 1, 'inventory-adapter', 'PLANNED')`,
      [tenantId, randomUUID(), compensationPlanId, started.fulfillmentPlanId, await started.taskId(4)],
    );

    const answer = await get(`/api/v1/orders/${orderId}/timeline`);
    expect(answer.status).toBe(200);
    expect(answer.body.truncated).toBe(false);
    const entries = answer.body.entries as { at: string; kind: string; [key: string]: unknown }[];
    const kinds = new Set(entries.map((entry) => entry.kind));
    for (const kind of ['audit', 'event', 'callback', 'message', 'fallout-case', 'compensation-plan', 'compensation-step']) expect(kinds, kind).toContain(kind);
    expect(entries.find((entry) => entry.kind === 'compensation-step')).toMatchObject({ compensationPlanId, compensationTaskType: 'RELEASE_RESOURCE', status: 'PLANNED' });
    const times = entries.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(entries.find((entry) => entry.kind === 'callback')).toMatchObject({ sourceSystem: call.external_system, webhookId: 'msg_timeline_1', processingError: 'partner sent an unknown status', fulfillmentTaskId: waiting });
    expect(entries.filter((entry) => entry.kind === 'message')).toEqual([expect.objectContaining({ messageName: 'provisioning-completed', status: 'PENDING', correlatedAt: null })]);
    const audited = (await kit.pool.query('select 1 from audit_log where tenant_id = $1 and order_id = $2', [tenantId, orderId])).rowCount;
    expect(entries.filter((entry) => entry.kind === 'audit')).toHaveLength(audited!);
    const events = (await kit.pool.query('select 1 from outbox where tenant_id = $1 and correlation_id = $2', [tenantId, orderId])).rowCount;
    expect(entries.filter((entry) => entry.kind === 'event')).toHaveLength(events!);
    expect(JSON.stringify(entries)).not.toContain(other.order.orderId);

    const again = await get(`/api/v1/orders/${orderId}/timeline`);
    expect(again.body).toEqual(answer.body);
  });

  it(`given more than ${timelineCap} entries, then the first ${timelineCap} and truncated`, async () => {
    const started = await kit.startedOrder();
    caller = { subject: 'alice', tenantId: started.tenantId };
    await kit.pool.query(
      `insert into audit_log (tenant_id, order_id, entity_type, entity_id, action, actor, correlation_id, at)
       select $1, $2, 'Order', $2, 'NOTE', 'test', $3, now() + make_interval(secs => n) from generate_series(1, $4::int) n`,
      [started.tenantId, started.order.orderId, started.order.orderId, timelineCap],
    );
    const answer = await get(`/api/v1/orders/${started.order.orderId}/timeline`);
    expect(answer.body.entries).toHaveLength(timelineCap);
    expect(answer.body.truncated).toBe(true);
  });

  it("given an unknown id or another tenant's id, then the same 404", async () => {
    const started = await kit.startedOrder();
    asNewTenant();
    const unknownId = randomUUID();
    const unknown = await get(`/api/v1/orders/${unknownId}/timeline`);
    const foreign = await get(`/api/v1/orders/${started.order.orderId}/timeline`);
    expect([unknown.status, foreign.status]).toEqual([404, 404]);
    expect(shapeOf(foreign.body, started.order.orderId)).toEqual(shapeOf(unknown.body, unknownId));
  });
});

describe('GET /api/v1/fallout-cases', () => {
  async function openCase(tenantId: string, orderId: string, fields: { category: string; sourceSystem: string; status?: string; createdAt?: string }): Promise<string> {
    const id = randomUUID();
    await kit.pool.query(
      `insert into fallout_case (tenant_id, id, order_id, idempotency_key, category, severity, reason, retryable, requires_manual_repair, source_system, status, created_at)
       values ($1, $2, $3, $4, $5, 'HIGH', 'partner said no', true, true, $6, $7, coalesce($8::timestamptz, now()))`,
      [tenantId, id, orderId, `test:${id}`, fields.category, fields.sourceSystem, fields.status ?? 'OPEN', fields.createdAt ?? null],
    );
    return id;
  }

  it('given open and closed cases, then open ones by default, newest first, paged without duplicates; filters by category and owner system', async () => {
    const started = await kit.startedOrder();
    const { tenantId } = started;
    caller = { subject: 'alice', tenantId };
    const orderId = started.order.orderId;
    const open = [
      await openCase(tenantId, orderId, { category: 'EXTERNAL_SYSTEM_REJECTED', sourceSystem: 'inventory-adapter' }),
      await openCase(tenantId, orderId, { category: 'EXTERNAL_SYSTEM_TIMEOUT', sourceSystem: 'provisioning-adapter', createdAt: '2026-03-01T10:00:00.000001Z' }),
      await openCase(tenantId, orderId, { category: 'EXTERNAL_SYSTEM_TIMEOUT', sourceSystem: 'provisioning-adapter', createdAt: '2026-03-01T10:00:00.000001Z' }),
      await openCase(tenantId, orderId, { category: 'RESOURCE_CONFLICT', sourceSystem: 'inventory-adapter', createdAt: '2026-03-01T10:00:00.000002Z' }),
      await openCase(tenantId, orderId, { category: 'RESOURCE_CONFLICT', sourceSystem: 'inventory-adapter', createdAt: '2026-03-01T10:00:00.000002Z' }),
    ];
    const closed = await openCase(tenantId, orderId, { category: 'RESOURCE_CONFLICT', sourceSystem: 'inventory-adapter', status: 'CLOSED' });
    const other = await kit.startedOrder();
    await openCase(other.tenantId, other.order.orderId, { category: 'RESOURCE_CONFLICT', sourceSystem: 'inventory-adapter' });

    const pages = await allPages('/api/v1/fallout-cases', 2);
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    const seen = pages.flatMap((page) => page.items.map((item) => item.falloutCaseId as string));
    expect([...seen].sort()).toEqual([...open].sort());
    const expected = (await kit.pool.query<{ id: string }>(`select id from fallout_case where tenant_id = $1 and status = 'OPEN' order by created_at desc, id desc`, [tenantId])).rows.map((row) => row.id);
    expect(seen).toEqual(expected);
    expect(pages[0]!.items[0]).toMatchObject({ orderId, status: 'OPEN', severity: 'HIGH', retryable: true, sourceSystem: expect.any(String) });

    const timeouts = await get('/api/v1/fallout-cases?category=EXTERNAL_SYSTEM_TIMEOUT');
    expect(timeouts.body.items.map((item: { falloutCaseId: string }) => item.falloutCaseId).sort()).toEqual(open.slice(1, 3).sort());
    const inventory = await get('/api/v1/fallout-cases?ownerSystem=inventory-adapter&status=OPEN,CLOSED');
    expect(inventory.body.items).toHaveLength(4);
    expect(inventory.body.items.map((item: { falloutCaseId: string }) => item.falloutCaseId)).toContain(closed);
    expect((await get('/api/v1/fallout-cases?status=CLOSED')).body.items).toEqual([expect.objectContaining({ falloutCaseId: closed })]);
  });

  it('given a bad category, status, owner system or cursor, then 400 naming it; another tenant sees none of the cases', async () => {
    asNewTenant();
    for (const [query, path] of [
      ['category=LATE', 'category.0'],
      ['status=SOLVED', 'status.0'],
      ['ownerSystem=a&ownerSystem=b', 'ownerSystem'],
      ['cursor=AAAA', 'cursor'],
    ] as const) {
      const answer = await get(`/api/v1/fallout-cases?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.errors, query).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect((await get('/api/v1/fallout-cases?status=OPEN,IN_REPAIR,REPAIRED,CLOSED')).body).toEqual({ items: [], nextCursor: null });
  });
});
