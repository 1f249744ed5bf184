import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Router } from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BugError, ConcurrencyConflictError, TransientError, ValidationError } from '../errors';
import { createApp } from './app';

let server: Server;
let base: string;
let dependencyUp = true;

beforeAll(async () => {
  const registry = new Registry();
  const failing = Router();
  failing.post('/echo', (req, res) => {
    res.json(req.body);
  });
  failing.get('/boom/:kind', (req) => {
    switch (req.params.kind) {
      case 'validation':
        throw new ValidationError('orderId must be a uuid', [{ path: 'orderId', message: 'Invalid uuid' }]);
      case 'conflict':
        throw new ConcurrencyConflictError('FulfillmentTask', 'ft-1', 3);
      case 'transient':
        throw new TransientError('DB.UNAVAILABLE', 'database unavailable');
      case 'bug':
        throw new BugError('BUG.ASSERTION', 'impossible state');
      default:
        throw new Error('secret internals at /srv/app.ts:12');
    }
  });
  const app = createApp({
    log: pino({ level: 'silent' }),
    registry,
    readiness: [
      {
        name: 'database',
        check: async () => {
          if (!dependencyUp) throw new Error('connection refused');
        },
      },
    ],
    routers: [failing],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('HTTP application', () => {
  it('reports liveness and readiness, and 503 with the failing check when a dependency is down', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({
      status: 'UP',
      checks: [{ name: 'database', status: 'UP' }],
    });
    dependencyUp = false;
    const down = await fetch(`${base}/ready`);
    dependencyUp = true;
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ checks: [{ name: 'database', status: 'DOWN', reason: 'connection refused' }] });
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
  });

  it.each([
    ['validation', 400, 'INPUT.INVALID'],
    ['conflict', 409, 'FULFILLMENTTASK.VERSION_CONFLICT'],
    ['transient', 503, 'DB.UNAVAILABLE'],
    ['bug', 500, 'BUG.ASSERTION'],
  ])('maps a %s error to %i problem+json with its code', async (kind, status, code) => {
    const res = await fetch(`${base}/boom/${kind}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status, code, instance: `/boom/${kind}` });
  });

  it('never leaks internals of an unexpected error', async () => {
    const res = await fetch(`${base}/boom/other`);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain('secret internals');
    expect(text).not.toContain('.ts:');
  });

  it('answers malformed JSON and unknown routes with problem+json 4xx', async () => {
    const bad = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ title: 'Not Found', status: 404 });
  });
});
