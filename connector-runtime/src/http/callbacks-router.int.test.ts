/**
 * Signed partner callbacks against the real PostgreSQL: verified with Standard Webhooks, tenant
 * from the adapter configuration, stored once per webhook-id, refused with problem+json otherwise.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { openStoreTestDatabase, uniqueTenantId } from '../store/fixtures/store-test-database';
import type { StoreTestDatabase } from '../store/fixtures/store-test-database';
import { createApp } from './app';
import { callbacksRouter } from './callbacks-router';

// Standard Webhooks secrets: whsec_ + base64 of the key bytes.
const oldSecret = `whsec_${Buffer.from('old-secret-of-the-provisioning-partner').toString('base64')}`;
const newSecret = `whsec_${Buffer.from('new-secret-of-the-provisioning-partner').toString('base64')}`;
const strangerSecret = `whsec_${Buffer.from('a key nobody configured').toString('base64')}`;
const tenantId = uniqueTenantId();

let db: StoreTestDatabase;
let server: Server;
let base: string;

beforeAll(async () => {
  db = await openStoreTestDatabase('http_callbacks');
  const config = loadConfig({ CALLBACK_ADAPTERS: JSON.stringify({ provisioning: { tenantId, secrets: [newSecret, oldSecret] } }) });
  const app = createApp({ log: pino({ level: 'silent' }), registry: new Registry(), readiness: [], rawBodyRouters: [callbacksRouter(db.pool, config.CALLBACK_ADAPTERS)] });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await db?.close();
});

function signed(body: string, options: { secret?: string; id?: string; at?: Date } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? newSecret).sign(id, at, body),
  };
}

const post = (system: string, body: string, headers: Record<string, string>) =>
  fetch(`${base}/api/v1/integrations/${system}/callbacks`, { method: 'POST', body, headers });

const rowsOf = async (webhookId: string) =>
  (await db.pool.query('select tenant_id, source_system, raw_payload, payload, external_correlation_id from callback_inbox where webhook_id = $1', [webhookId])).rows;

describe('POST /api/v1/integrations/:system/callbacks', () => {
  it('given a correctly signed callback, then it is stored under the adapter tenant with its raw body and answered 202', async () => {
    // The body claims another tenant: the adapter configuration decides, never the body.
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-77', status: 'COMPLETED', tenantId: 'tenant-evil' });
    const headers = signed(body);
    const res = await post('provisioning', body, headers);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { callbackId: string; status: string };
    expect(answer.status).toBe('ACCEPTED');
    expect(await rowsOf(headers['webhook-id'])).toEqual([
      { tenant_id: tenantId, source_system: 'provisioning', raw_payload: body, payload: JSON.parse(body), external_correlation_id: 'prov-req-77' },
    ]);
  });

  it('given the same delivery twice, then the second is answered 200 with the first id and nothing is stored again', async () => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-78', status: 'FAILED' });
    const headers = signed(body);
    const first = (await (await post('provisioning', body, headers)).json()) as { callbackId: string };
    const again = await post('provisioning', body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ callbackId: first.callbackId, status: 'DUPLICATE' });
    expect(await rowsOf(headers['webhook-id'])).toHaveLength(1);
  });

  it('given a webhook-id reused with another body, then 422 and the first body stays', async () => {
    const id = `msg_${randomUUID()}`;
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-79', status: 'COMPLETED' });
    await post('provisioning', body, signed(body, { id }));
    const other = JSON.stringify({ externalCorrelationId: 'prov-req-79', status: 'FAILED' });
    const res = await post('provisioning', other, signed(other, { id }));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await rowsOf(id))[0].raw_payload).toBe(body);
  });

  it('given a callback signed with the previous secret during rotation, then it is accepted', async () => {
    const body = JSON.stringify({ externalCorrelationId: 'prov-req-80' });
    expect((await post('provisioning', body, signed(body, { secret: oldSecret }))).status).toBe(202);
  });

  it.each([
    ['a body changed after signing', (body: string) => ({ body: body.replace('80', '81'), headers: signed(body) })],
    ['an unknown key', (body: string) => ({ body, headers: signed(body, { secret: strangerSecret }) })],
    ['a timestamp an hour old', (body: string) => ({ body, headers: signed(body, { at: new Date(Date.now() - 3600_000) }) })],
    [
      'no signature header',
      (body: string) => {
        const { 'webhook-signature': _dropped, ...headers } = signed(body);
        return { body, headers };
      },
    ],
  ])('given %s, then 401 problem+json and nothing stored', async (_label, build) => {
    const { body, headers } = build(JSON.stringify({ externalCorrelationId: 'prov-req-80x' }));
    const res = await post('provisioning', body, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
    expect(await rowsOf(headers['webhook-id'])).toEqual([]);
  });

  it('given a system without an adapter, then 404, before any signature is looked at', async () => {
    const body = '{}';
    expect((await post('billing', body, signed(body))).status).toBe(404);
    expect((await post('no-such-system', body, signed(body))).status).toBe(404);
  });

  it('given a correctly signed body that is not a JSON object, then 400 and nothing stored', async () => {
    for (const body of ['not json', '[1,2]', JSON.stringify({ externalCorrelationId: 42 })]) {
      const headers = signed(body);
      const res = await post('provisioning', body, headers);
      expect(res.status, body).toBe(400);
      expect(await rowsOf(headers['webhook-id'])).toEqual([]);
    }
  });
});
