/**
 * Every order-API route refuses bad requests the same way, on the real runtime: for each route of
 * the API document (`/api/v1/orders…`, `/api/v1/fallout-cases`, `/internal/workflows/…`) and each
 * refusal that applies to it — no token, a bad token, a missing role, another tenant's order, an
 * unknown order, and for POST commands a missing Idempotency-Key, a malformed body, a wrong content
 * type, a schema violation, an oversized body and a reused key with another body — the answer is
 * the status the route documents, as `application/problem+json`, and no row of the tenant is written.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiRoutes, buildOpenApiDocument } from '../../connector-runtime/src/http/openapi';
import { driveToEnd, startRuntimeHarness, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
let orderId: string;
let taskId: string;
let falloutCaseId: string;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_refusals');
  // A real order with a plan, so that refusals meet existing objects, not just unknown ids.
  const { order } = await h.startSampleOrder();
  orderId = order.orderId;
  taskId = await h.until('the plan', async () => (await h.taskStatuses(orderId)).find((task) => task.sequence === 3)?.id);
  // Finished first, so nothing the workers do moves the tenant's rows while refusals are counted.
  await driveToEnd(h, orderId);
  falloutCaseId = randomUUID();
});
afterAll(async () => {
  await h?.close();
});

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const apiRouteRows = apiRoutes.filter((route) => /^\/(api\/v1\/(orders|fallout-cases)|internal\/)/.test(route.path));

/** The route's path with the test order's ids (or `unknown` ones) filled in. */
function concrete(path: string, ids: { orderId: string }): string {
  return path.replace('{orderId}', ids.orderId).replace('{taskId}', taskId).replace('{falloutCaseId}', falloutCaseId);
}

/** Rows of the tenant a refused request must not add to. */
async function footprint(): Promise<Record<string, number>> {
  const tables = ['customer_order', 'order_item', 'fulfillment_plan', 'audit_log', 'outbox', 'fallout_case', 'workflow_message_correlation', 'fulfillment_task_attempt'];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await h.runtime.pool.query<{ n: string }>(`select count(*)::text as n from ${table} where tenant_id = $1`, [h.tenantId])).rows[0]!.n);
  return counts;
}

interface Attempt {
  status: number;
  contentType: string;
}

async function send(method: string, path: string, options: { token?: string | null; key?: string | null; body?: string; contentType?: string }): Promise<Attempt> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? h.apiToken}`;
  if (method === 'POST' && options.key !== null) headers['idempotency-key'] = options.key ?? randomUUID();
  const response = await fetch(`${h.runtime.httpUrl}${path}`, { method, headers, ...(method === 'POST' ? { body: options.body ?? '{}' } : {}) });
  await response.arrayBuffer();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '' };
}

/** A body the route accepts, so that a refusal tests one thing only. */
function validBody(path: string, ids: { orderId: string }): string {
  if (path.startsWith('/internal/')) {
    return JSON.stringify({
      variables: { orderId: ids.orderId, fulfillmentPlanId: randomUUID(), currentTaskId: randomUUID(), compensationTaskId: randomUUID(), decision: 'COMPLETE', reason: 'customer asked us to do this' },
      headers: path.endsWith('/start-compensation') ? { compensationReason: 'ORDER_CANCELLED' } : {},
    });
  }
  if (path.endsWith('/cancel') || path.endsWith('/retry')) return JSON.stringify({ reason: 'customer asked us to do this' });
  if (path.endsWith('/skip')) return JSON.stringify({ reason: 'customer asked us to do this', approvalReference: 'APPROVAL-1' });
  if (path.endsWith('/repair')) return JSON.stringify({ outcome: 'RETRY', reason: 'customer asked us to do this' });
  if (path.endsWith('/manual-decisions')) return JSON.stringify({ decision: 'COMPLETE', reason: 'customer asked us to do this' });
  return '{}';
}

type Case = { name: string; expected: number; posts?: true; run: (method: string, path: string) => Promise<Attempt> };

const cases: Case[] = [
  { name: 'no token', expected: 401, run: (method, path) => send(method, concrete(path, { orderId }), { token: null }) },
  { name: 'a bad token', expected: 401, run: (method, path) => send(method, concrete(path, { orderId }), { token: 'not-one-of-ours-at-all' }) },
  { name: 'another tenant’s order', expected: 404, run: (method, path) => send(method, concrete(path, { orderId }), { token: h.otherTenantToken, body: validBody(path, { orderId }) }) },
  {
    name: 'an unknown order',
    expected: 404,
    run: (method, path) => {
      const unknown = randomUUID();
      return send(method, concrete(path, { orderId: unknown }), { body: validBody(path, { orderId: unknown }) });
    },
  },
  { name: 'a missing role', expected: 403, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { token: h.viewerToken }) },
  { name: 'no Idempotency-Key', expected: 400, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { key: null }) },
  { name: 'malformed JSON', expected: 400, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { body: '{"reason":' }) },
  { name: 'a wrong content type', expected: 415, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { contentType: 'text/plain', body: 'hello' }) },
  { name: 'a schema violation', expected: 400, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { body: JSON.stringify({ unexpected: [1, 2, 3] }) }) },
  { name: 'an oversized body', expected: 413, posts: true, run: (method, path) => send(method, concrete(path, { orderId }), { body: JSON.stringify({ reason: 'x'.repeat(1_100_000) }) }) },
  {
    name: 'a reused key with another body',
    expected: 422,
    posts: true,
    run: async (method, path) => {
      const key = randomUUID();
      // The first use may itself be refused (a schema violation): its answer is stored all the same.
      await send(method, concrete(path, { orderId }), { key, body: JSON.stringify({ first: true }) });
      return send(method, concrete(path, { orderId }), { key, body: JSON.stringify({ second: true }) });
    },
  },
];

/** Cases that do not apply to a route: an order id where there is none, a route with no order. */
function applies(route: (typeof apiRouteRows)[number], testCase: Case): boolean {
  if (testCase.posts && route.method !== 'post') return false;
  const hasOrder = route.path.includes('{orderId}');
  if ((testCase.name === 'another tenant’s order' || testCase.name === 'an unknown order') && !hasOrder) return false;
  return true;
}

describe('the order API refuses bad requests', () => {
  const table = apiRouteRows.flatMap((route) => cases.filter((testCase) => applies(route, testCase)).map((testCase) => [`${route.method.toUpperCase()} ${route.path}`, testCase.name, route, testCase] as const));

  it('covers every order-API route of the document', () => {
    expect(apiRouteRows.length).toBeGreaterThanOrEqual(20);
    expect(new Set(table.map(([route]) => route)).size).toBe(apiRouteRows.length);
  });

  it.each(table)('%s given %s', async (_label, _case, route, testCase) => {
    const before = await footprint();
    const answer = await testCase.run(route.method.toUpperCase(), route.path);
    // A schema violation on a route whose body accepts `{ unexpected: ... }` cannot be; the rest are exact.
    expect(answer.status).toBe(testCase.expected);
    expect(answer.contentType).toContain('application/problem+json');
    expect(Object.keys(document.paths[route.path]?.[route.method]?.responses ?? {}), 'the status is documented').toContain(String(answer.status));
    const after = await footprint();
    // A refused request leaves no row; only the idempotency record of a refused first use may stay (it replays the refusal).
    expect(after).toEqual(before);
  });
});
