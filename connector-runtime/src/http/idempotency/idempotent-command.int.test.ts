/**
 * Idempotency-Key on a command, against the real PostgreSQL: a tiny app with authentication, the
 * middleware and a dummy command that writes one row per run.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../errors';
import type { Queryable } from '../../store/database';
import { openStoreTestDatabase, type StoreTestDatabase } from '../../store/fixtures/store-test-database';
import { startTestApp, type TestApp } from '../auth/fixtures/test-app';
import { authenticate, principalOf } from '../auth';
import { idempotentCommand } from './index';

const tokenA = 'idempotency-test-token-tenant-a-1';
const tokenA2 = 'idempotency-test-token-tenant-a-2';
const tokenB = 'idempotency-test-token-tenant-b-1';
const tokens = {
  [tokenA]: { tenantId: 'tenant-a', roles: ['operator'] as const, subject: 'alice' },
  [tokenA2]: { tenantId: 'tenant-a', roles: ['operator'] as const, subject: 'bob' },
  [tokenB]: { tenantId: 'tenant-b', roles: ['operator'] as const, subject: 'carol' },
};

let db: StoreTestDatabase;
let app: TestApp;
let handlerRuns = 0;
let failNextRun = false;

/** Refusals still to come for the statements that store an answer on `/flaky`, and the error they raise. */
let storeRefusals = 0;
let storeRefusal: Error = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

/** The database as `/flaky` sees it: it refuses the next `storeRefusals` stores of an answer. */
const flakyStore: Queryable = {
  query: ((config: pg.QueryConfig, values?: unknown[]) => {
    if (storeRefusals > 0 && /^(complete|release)-http-idempotency-record$/.test(config.name ?? '')) {
      storeRefusals -= 1;
      return Promise.reject(storeRefusal);
    }
    return db.pool.query(config, values);
  }) as Queryable['query'],
};

/**
 * The dummy command: waits if asked, fails if told, refuses if asked, else writes one row and
 * answers 201. On `/flaky` its answers meet a database that refuses to store them at first.
 */
function commandRouter(): Router {
  const router = Router();
  router.post('/orders/:orderId/cancel', authenticate({ tokens }), idempotentCommand(db.pool), command);
  router.post('/flaky/orders/:orderId/cancel', authenticate({ tokens }), idempotentCommand(flakyStore, { storeRetryDelaysMs: [50, 100, 200] }), command);
  return router;
}

const command: RequestHandler = async (req, res) => {
    handlerRuns += 1;
    const body = req.body as { delayMs?: number; refuse?: boolean };
    if (body.delayMs !== undefined) await sleep(body.delayMs);
    if (failNextRun) {
      failNextRun = false;
      throw new Error('the database went away');
    }
    if (body.refuse === true) throw new ValidationError('the order cannot be cancelled with this reason', [{ path: 'reason', message: 'too short' }]);
    const { tenantId } = principalOf(res);
    const { rows } = await db.pool.query<{ id: string }>('insert into command_probe (tenant_id, order_id, body) values ($1, $2, $3) returning id::text', [
      tenantId,
      req.params['orderId'],
      JSON.stringify(req.body),
    ]);
    res.status(201).location(`/orders/${String(req.params['orderId'])}/cancellations/${rows[0]?.id}`).json({ cancellationId: rows[0]?.id, tenantId });
};

beforeAll(async () => {
  db = await openStoreTestDatabase('http_idempotency');
  await db.pool.query('create table command_probe (id bigint generated always as identity primary key, tenant_id text not null, order_id text not null, body jsonb not null)');
  app = await startTestApp([commandRouter()]);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

beforeEach(() => {
  handlerRuns = 0;
  failNextRun = false;
  storeRefusals = 0;
});

function post(options: { key?: string; body?: unknown; token?: string; orderId?: string; rawBody?: string; flaky?: boolean }) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${options.token ?? tokenA}` };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  return fetch(`${app.base}${options.flaky ? '/flaky' : ''}/orders/${options.orderId ?? 'order-1'}/cancel`, {
    method: 'POST',
    headers,
    body: options.rawBody ?? JSON.stringify(options.body ?? { reason: 'customer changed their mind' }),
  });
}

const probeRows = async (orderId: string) => (await db.pool.query('select tenant_id from command_probe where order_id = $1', [orderId])).rows;
const records = async (key: string) =>
  (await db.pool.query('select tenant_id, status, response_status from http_idempotency_record where idempotency_key = $1 order by tenant_id', [key])).rows;

describe('idempotentCommand', () => {
  it('given no Idempotency-Key, then 400 problem+json and the command does not run', async () => {
    const orderId = randomUUID();
    const res = await post({ orderId });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'INPUT.INVALID', errors: [{ path: 'Idempotency-Key' }] });
    expect(handlerRuns).toBe(0);
    expect(await probeRows(orderId)).toEqual([]);
  });

  it('given a key longer than 255 characters, or an unterminated quoted one, then 400', async () => {
    expect((await post({ key: 'k'.repeat(256) })).status).toBe(400);
    expect((await post({ key: '"unterminated' })).status).toBe(400);
    expect((await post({ key: 'k'.repeat(255), orderId: randomUUID() })).status).toBe(201);
  });

  it('given the same key and body again, then the stored answer is replayed and nothing is written twice', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    const first = await post({ key, orderId, body: { reason: 'moved house', note: { a: 1, b: 2 } } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody: unknown = await first.json();

    // The same JSON with its keys in another order is the same request.
    const again = await post({ key, orderId, rawBody: '{"note":{"b":2,"a":1},"reason":"moved house"}' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(await again.json()).toEqual(firstBody);
    expect(handlerRuns).toBe(1);
    expect(await probeRows(orderId)).toHaveLength(1);
    expect(await records(key)).toEqual([{ tenant_id: 'tenant-a', status: 'COMPLETED', response_status: 201 }]);
  });

  it('given the draft quoted form of a key, then it names the same key as the bare form', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    expect((await post({ key, orderId })).status).toBe(201);
    const quoted = await post({ key: `"${key}"`, orderId });
    expect(quoted.headers.get('idempotent-replayed')).toBe('true');
    expect(await probeRows(orderId)).toHaveLength(1);
  });

  it('given the same key with another body, another path or another caller of the tenant, then 422', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    expect((await post({ key, orderId })).status).toBe(201);
    for (const res of [
      await post({ key, orderId, body: { reason: 'another reason' } }),
      await post({ key, orderId: randomUUID() }),
      await post({ key, orderId, token: tokenA2 }),
    ]) {
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    }
    expect(handlerRuns).toBe(1);
    expect(await probeRows(orderId)).toHaveLength(1);
  });

  it('given the same key in another tenant, then it is another key', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    expect((await post({ key, orderId })).status).toBe(201);
    const other = await post({ key, orderId, token: tokenB });
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect((await probeRows(orderId)).map((row: { tenant_id: string }) => row.tenant_id).sort()).toEqual(['tenant-a', 'tenant-b']);
  });

  it('given two concurrent requests with one key, then the command runs once and the other gets 409 or the replay', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    const body = { reason: 'double click', delayMs: 300 };
    const answers = await Promise.all([post({ key, orderId, body }), post({ key, orderId, body })]);
    const outcomes = await Promise.all(
      answers.map(async (res) => ({ status: res.status, replayed: res.headers.get('idempotent-replayed'), retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code?: string } })),
    );
    const fresh = outcomes.filter((o) => o.status === 201 && o.replayed === null);
    const others = outcomes.filter((o) => !fresh.includes(o));
    expect(fresh).toHaveLength(1);
    expect(others).toHaveLength(1);
    const [other] = others;
    if (other?.status === 409) expect(other).toMatchObject({ retryAfter: '1', body: { code: 'IDEMPOTENCY.IN_PROGRESS', title: 'Conflict' } });
    else expect(other).toMatchObject({ status: 201, replayed: 'true' });
    expect(handlerRuns).toBe(1);
    expect(await probeRows(orderId)).toHaveLength(1);
  });

  it('given a command that fails with 5xx, then its key is released and a retry runs the command', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    failNextRun = true;
    const failed = await post({ key, orderId });
    expect(failed.status).toBe(500);
    expect(await records(key)).toEqual([]);
    const retry = await post({ key, orderId });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(handlerRuns).toBe(2);
    expect(await probeRows(orderId)).toHaveLength(1);
  });

  it('given a command answered 4xx, then that answer is stored and replayed, the command not run again', async () => {
    const key = randomUUID();
    const body = { reason: 'x', refuse: true };
    const first = await post({ key, body });
    expect(first.status).toBe(400);
    const firstProblem = (await first.json()) as Record<string, unknown>;
    const again = await post({ key, body });
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await again.json()).toEqual(firstProblem);
    expect(handlerRuns).toBe(1);
    expect(await records(key)).toEqual([{ tenant_id: 'tenant-a', status: 'COMPLETED', response_status: 400 }]);
  });

  it('given an expired record, then the key is free again, even for another body', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    expect((await post({ key, orderId })).status).toBe(201);
    await db.pool.query("update http_idempotency_record set created_at = now() - interval '25 hours', expires_at = now() - interval '1 hour' where idempotency_key = $1", [key]);
    const after = await post({ key, orderId, body: { reason: 'a day later, another reason' } });
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(await probeRows(orderId)).toHaveLength(2);
    const [record] = (await db.pool.query<{ ttl: string }>("select extract(epoch from expires_at - created_at)::text as ttl from http_idempotency_record where idempotency_key = $1", [key])).rows;
    expect(Number(record?.ttl)).toBe(24 * 3600);
  });

  it('given no valid token, then 401 comes first and no key is recorded', async () => {
    const key = randomUUID();
    const res = await post({ key, token: 'not-a-token-anyone-configured' });
    expect(res.status).toBe(401);
    expect(await records(key)).toEqual([]);
  });
  it('given the database refuses to store an answer twice, then the answer is sent, stored by a later attempt and replayed', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    storeRefusals = 2;
    const first = await post({ key, orderId, flaky: true });
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    expect(await records(key)).toEqual([{ tenant_id: 'tenant-a', status: 'IN_PROGRESS', response_status: null }]);
    await vi.waitFor(async () => expect(await records(key)).toEqual([{ tenant_id: 'tenant-a', status: 'COMPLETED', response_status: 201 }]), { timeout: 5_000, interval: 25 });
    const again = await post({ key, orderId, flaky: true });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect(handlerRuns).toBe(1);
    expect(storeRefusals).toBe(0);
  });

  it('given a failed command whose key the database refuses to release at first, then a later attempt releases it and a retry runs the command', async () => {
    const key = randomUUID();
    const orderId = randomUUID();
    failNextRun = true;
    storeRefusals = 1;
    expect((await post({ key, orderId, flaky: true })).status).toBe(500);
    const meanwhile = await post({ key, orderId, flaky: true });
    expect([409, 201]).toContain(meanwhile.status);
    await vi.waitFor(async () => expect((await post({ key, orderId, flaky: true })).status).toBe(201), { timeout: 5_000, interval: 25 });
    expect(await probeRows(orderId)).toHaveLength(1);
  });

  it('given a store refused for a reason that is not transient, then it is not tried again and the key stays IN_PROGRESS', async () => {
    const key = randomUUID();
    const previous = storeRefusal;
    storeRefusal = Object.assign(new Error('value too long for type character varying(255)'), { code: '22001' });
    try {
      storeRefusals = 2;
      expect((await post({ key, flaky: true })).status).toBe(201);
      await sleep(500);
      expect(storeRefusals).toBe(1);
      expect(await records(key)).toEqual([{ tenant_id: 'tenant-a', status: 'IN_PROGRESS', response_status: null }]);
      expect((await post({ key, flaky: true })).status).toBe(409);
    } finally {
      storeRefusal = previous;
    }
  });
});
