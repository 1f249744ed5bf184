import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BugError, TransientError } from '../errors';
import { HttpPartnerAdapter, maxRetryAfterMs, retryAfterMs } from './http-partner-adapter';
import { PartnerRejectedError, type PartnerRequest } from './partner-adapter';

/** What the tiny partner saw of the last request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
// The answer of the tiny partner; `undefined` never answers.
let answer: ((res: ServerResponse) => void) | undefined;
const stalled = new Set<ServerResponse>();

const request: PartnerRequest = {
  tenantId: 'tenant-a',
  orderId: 'order-1',
  orderItemId: 'item-1',
  taskId: 'task-1',
  taskType: 'RESERVE_RESOURCE',
  idempotencyKey: 'tenant-a:order-1:task-1:EXECUTE-1',
  externalCorrelationId: 'corr-1',
  input: { customerName: 'Ada Lovelace', address: '12 Secret Street' },
};

function reply(status: number, body: unknown, headers: Record<string, string> = {}): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

function adapter(timeoutMs = 1000): HttpPartnerAdapter {
  return new HttpPartnerAdapter({ system: 'inventory', baseUrl: `${baseUrl}/`, timeoutMs });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    if (answer) answer(res);
    else stalled.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  seen = [];
  for (const res of stalled) res.destroy();
  stalled.clear();
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('HttpPartnerAdapter', () => {
  it('given a synchronous partner, when it answers 200 DONE, then the request went out whole and the outcome is DONE', async () => {
    answer = reply(200, { status: 'DONE', reference: 'inventory-1', result: { reservationId: 'r-1' } });

    const outcome = await adapter().perform(request);

    expect(outcome).toEqual({ kind: 'DONE', reference: 'inventory-1', result: { reservationId: 'r-1' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/inventory/tasks',
      headers: { 'idempotency-key': request.idempotencyKey, 'content-type': 'application/json' },
      body: {
        taskType: 'RESERVE_RESOURCE',
        tenantId: 'tenant-a',
        orderId: 'order-1',
        orderItemId: 'item-1',
        taskId: 'task-1',
        externalCorrelationId: 'corr-1',
        input: request.input,
      },
    });
  });

  it('given an asynchronous partner, when it answers 202 ACCEPTED, then the outcome is ACCEPTED', async () => {
    answer = reply(202, { status: 'ACCEPTED', reference: 'provisioning-1' });
    const provisioning = new HttpPartnerAdapter({ system: 'provisioning', baseUrl, timeoutMs: 1000 });

    const outcome = await provisioning.perform({ ...request, taskType: 'CREATE_PROVISIONING_REQUEST' });

    expect(outcome).toEqual({ kind: 'ACCEPTED', reference: 'provisioning-1' });
    expect(seen[0]!.url).toBe('/provisioning/tasks');
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('when the partner answers %i, then it is a transient PARTNER.UNAVAILABLE without a back-off of its own', async (status) => {
    answer = reply(status, { code: 'BUSY', message: 'try later' });

    const error = await failure(adapter().perform(request));

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PARTNER.UNAVAILABLE', details: { system: 'inventory', status } });
    expect((error as TransientError).details).not.toHaveProperty('retryBackoffMs');
  });

  it('when the partner answers 503 with Retry-After, then the back-off is the partner\'s', async () => {
    answer = reply(503, {}, { 'retry-after': '7' });

    const error = await failure(adapter().perform(request));

    expect(error).toMatchObject({ code: 'PARTNER.UNAVAILABLE', details: { system: 'inventory', status: 503, retryBackoffMs: 7000 } });
  });

  it.each([
    [400, { code: 'INVALID_ADDRESS', message: 'no such street' }, 'INVALID_ADDRESS', 'no such street'],
    [409, { code: 'NO_STOCK', message: 'out of ONT devices' }, 'NO_STOCK', 'out of ONT devices'],
    [422, { type: 'about:blank', title: 'Unprocessable', detail: 'address outside footprint' }, 'REJECTED', 'address outside footprint'],
    [404, 'not json at all', 'REJECTED', 'HTTP 404'],
  ])('when the partner answers %i, then it is a PartnerRejectedError (fallout) with the partner\'s code', async (status, body, partnerCode, message) => {
    answer = reply(status, body);

    const error = await failure(adapter().perform(request));

    expect(error).toBeInstanceOf(PartnerRejectedError);
    expect(error).toMatchObject({ code: 'PARTNER.REJECTED', details: { system: 'inventory', status, partnerCode } });
    expect(error.message).toContain(message);
  });

  it.each([
    ['a body that is not JSON', 'OK'],
    ['an unknown status', { status: 'MAYBE', reference: 'x' }],
    ['DONE without a reference', { status: 'DONE', result: {} }],
  ])('when the partner answers 200 with %s, then it is a bug PARTNER.BAD_RESPONSE', async (_label, body) => {
    answer = reply(200, body);

    const error = await failure(adapter().perform(request));

    expect(error).toBeInstanceOf(BugError);
    expect(error).toMatchObject({ code: 'PARTNER.BAD_RESPONSE', details: { system: 'inventory', status: 200 } });
  });

  it('when the partner never answers, then the call ends with a transient error after the timeout', async () => {
    answer = undefined;
    const started = Date.now();

    const error = await failure(adapter(200).perform(request));

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PARTNER.UNAVAILABLE', details: { system: 'inventory', status: null } });
    expect(error.message).toContain('200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('when nothing listens, then it is a transient error naming the socket error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await failure(new HttpPartnerAdapter({ system: 'inventory', baseUrl: `http://127.0.0.1:${port}` }).perform(request));

    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never puts the request body in an error message', async () => {
    const answers = [reply(503, {}), reply(400, {}), reply(200, 'garbage'), undefined];
    for (const next of answers) {
      answer = next;
      const error = await failure(adapter(200).perform(request));
      expect(error.message).not.toContain('Ada Lovelace');
      expect(error.message).not.toContain('Secret Street');
      expect(JSON.stringify((error as TransientError).details)).not.toContain('Ada Lovelace');
    }
  });

  it('when asked for a task type its system does not perform, then it is a bug and nothing is sent', async () => {
    answer = reply(200, { status: 'DONE', reference: 'x', result: {} });

    const error = await failure(adapter().perform({ ...request, taskType: 'ACTIVATE_BILLING' }));

    expect(error).toMatchObject({ code: 'PARTNER.UNSUPPORTED_OPERATION' });
    expect(seen).toHaveLength(0);
  });
});

describe('retryAfterMs', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['soon', undefined],
    ['0', 0],
    ['3', 3000],
    ['999999', maxRetryAfterMs],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
  ])('reads %s as %s ms', (header, expected) => {
    expect(retryAfterMs(header, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});
