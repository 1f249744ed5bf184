import type { AddressInfo } from 'node:net';
import { request, STATUS_CODES, type IncomingHttpHeaders, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { Router } from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, BusinessError, BugError, ConcurrencyConflictError, NotFoundError, TransientError, ValidationError } from '../errors';
import { createApp } from './app';

let server: Server;
let base: string;
let dependencyUp = true;
/** The application's log lines, parsed. */
let logLines: Record<string, unknown>[] = [];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A request `fetch` refuses to make (a body on GET, a raw Content-Encoding), answered as text. */
function rawRequest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  // An explicit Content-Length: Node sends a GET body without any framing otherwise.
  const headers = options.body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

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
      case 'authentication':
        throw new AuthenticationError('callback signature does not verify');
      case 'not-found':
        throw new NotFoundError('Order', 'o-1');
      case 'business':
        throw new BusinessError('ORDER.NOT_CANCELLABLE', 'the order is completed');
      default:
        throw new Error('secret internals at /srv/app.ts:12');
    }
  });
  failing.post('/explode', () => {
    throw new Error('the database dropped the connection');
  });
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = createApp({
    log: pino({ level: 'info' }, capture),
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

beforeEach(() => {
  logLines = [];
});

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

  it.each(['/health', '/ready', '/metrics'])('given a malformed JSON body, when GET %s is called, then the probe answers 200: operational endpoints ignore bodies', async (path) => {
    const res = await rawRequest('GET', path, { headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(200);
  });

  it('given an unsupported Content-Encoding on a probe, when GET /health is called, then it still answers 200', async () => {
    const res = await rawRequest('GET', '/health', { headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, body: '{}' });
    expect(res.status).toBe(200);
  });

  it.each([
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/ready', 'GET, HEAD'],
    ['PUT', '/metrics', 'GET, HEAD'],
    ['GET', '/echo', 'POST'],
    ['DELETE', '/boom/bug', 'GET, HEAD'],
  ])('given a known route, when it is called with %s %s, then 405 problem+json lists the allowed methods %j', async (method, path, allow) => {
    const res = await rawRequest(method, path, { headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe(allow);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ title: 'Method Not Allowed', status: 405, instance: path });
  });

  it('given a known route, when OPTIONS is called, then the router answers 200 with Allow rather than 405', async () => {
    const res = await rawRequest('OPTIONS', '/health');
    expect(res.status).toBe(200);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });

  it('given an unknown route, when it is called with any method, then it is still 404', async () => {
    const res = await rawRequest('POST', '/nowhere', { headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers['allow']).toBeUndefined();
  });

  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"a":', 400],
    ['an unsupported charset', { 'content-type': 'application/json; charset=latin-9' }, '{}', 415],
    ['an unsupported Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, '{}', 415],
    ['a body over the limit', { 'content-type': 'application/json' }, JSON.stringify({ blob: 'x'.repeat(1_100_000) }), 413],
  ])('given %s, when a JSON route is called, then the problem title is the reason phrase of its status', async (_name, headers, body, status) => {
    const res = await rawRequest('POST', '/echo', { headers, body });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status, title: STATUS_CODES[status] });
  });

  it.each([
    ['validation', 400],
    ['authentication', 401],
    ['not-found', 404],
    ['conflict', 409],
    ['business', 422],
    ['transient', 503],
    ['bug', 500],
    ['other', 500],
  ])('given a %s error, then the problem title agrees with its status %i', async (kind, status) => {
    const res = await fetch(`${base}/boom/${kind}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ status, title: STATUS_CODES[status] });
  });

  it('given no request id, then every answer carries a generated UUID in X-Request-Id, and a problem body echoes it', async () => {
    const ok = await fetch(`${base}/health`);
    expect(ok.headers.get('x-request-id')).toMatch(uuidPattern);
    const missing = await fetch(`${base}/nowhere`);
    const id = missing.headers.get('x-request-id');
    expect(id).toMatch(uuidPattern);
    expect(id).not.toBe(ok.headers.get('x-request-id'));
    expect(await missing.json()).toMatchObject({ requestId: id });
  });

  it('given a well-formed X-Request-Id, then it is echoed in the header and the problem body', async () => {
    const res = await fetch(`${base}/boom/validation`, { headers: { 'x-request-id': 'gw-7f3a.42:retry_1' } });
    expect(res.headers.get('x-request-id')).toBe('gw-7f3a.42:retry_1');
    expect(await res.json()).toMatchObject({ requestId: 'gw-7f3a.42:retry_1' });
  });

  it.each([
    ['too long', 'a'.repeat(201)],
    ['with spaces', 'id with spaces'],
    ['with markup', '<script>'],
  ])('given an X-Request-Id %s, then a fresh UUID replaces it', async (_name, incoming) => {
    const res = await fetch(`${base}/health`, { headers: { 'x-request-id': incoming } });
    expect(res.headers.get('x-request-id')).toMatch(uuidPattern);
  });

  it('given a request that fails with a 5xx, then one error line carries method, path and request id, never the body', async () => {
    const res = await fetch(`${base}/explode?attempt=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-5xx-1' },
      body: JSON.stringify({ cardNumber: '4111111111111111' }),
    });
    expect(res.status).toBe(500);
    const errors = logLines.filter((line) => line['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ method: 'POST', path: '/explode', requestId: 'req-5xx-1', status: 500 });
    expect(JSON.stringify(logLines)).not.toContain('4111111111111111');
  });

  it('given a typed 5xx error, then its log line carries the code, method, path and request id', async () => {
    await fetch(`${base}/boom/transient`, { headers: { 'x-request-id': 'req-5xx-2' } });
    expect(logLines.filter((line) => line['level'] === 50)).toEqual([
      expect.objectContaining({ code: 'DB.UNAVAILABLE', method: 'GET', path: '/boom/transient', requestId: 'req-5xx-2', status: 503 }),
    ]);
  });

  it('given a 4xx, then nothing is logged as an error', async () => {
    await fetch(`${base}/boom/validation`);
    expect(logLines.filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });
});
