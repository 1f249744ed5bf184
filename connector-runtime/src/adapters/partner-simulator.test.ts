import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BugError, TransientError } from '../errors';
import { HttpPartnerAdapter } from './http-partner-adapter';
import { PartnerRejectedError, partnerCallbackSchema, type PartnerRequest, type PartnerSystem } from './partner-adapter';
import { PartnerSimulator, type PartnerSimulatorOptions } from './partner-simulator';

/** One callback as the tiny receiving server saw it. */
interface Received {
  system: string;
  webhookId: string;
  body: string;
  /** The signature verified with the system's secret. */
  verified: boolean;
  /** Whether the partner had answered the request when the callback arrived (callbackFirst). */
  answeredBefore: boolean;
}

let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
// Statuses the receiver answers with, in turn; 204 once they run out.
let receiverStatuses: number[] = [];
let answered = false;
let simulator: PartnerSimulator;
let partnerUrl: string;

function request(overrides: Partial<PartnerRequest> = {}): PartnerRequest {
  return {
    tenantId: 'tenant-a',
    orderId: 'order-1',
    orderItemId: 'item-1',
    taskId: 'task-1',
    taskType: 'RESERVE_RESOURCE',
    idempotencyKey: `tenant-a:order-1:task-1:${randomUUID()}`,
    externalCorrelationId: randomUUID(),
    input: { productCode: 'FIBER-1G' },
    ...overrides,
  };
}

function adapter(system: PartnerSystem, timeoutMs = 1000): HttpPartnerAdapter {
  return new HttpPartnerAdapter({ system, baseUrl: partnerUrl, timeoutMs });
}

async function startSimulator(options: Partial<PartnerSimulatorOptions> = {}): Promise<void> {
  simulator = new PartnerSimulator({ callbackBaseUrl: receiverUrl, defaults: { callbackDelayMs: 10 }, ...options });
  partnerUrl = (await simulator.start()).url;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function postRaw(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${partnerUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const system = /^\/api\/v1\/integrations\/([a-z]+)\/callbacks$/.exec(req.url ?? '')?.[1] ?? '?';
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(req.headers[name])]));
    let verified = true;
    try {
      new Webhook(simulator.secretOf(system as PartnerSystem)).verify(body, headers);
    } catch {
      verified = false;
    }
    received.push({ system, webhookId: headers['webhook-id']!, body, verified, answeredBefore: answered });
    res.writeHead(receiverStatuses.shift() ?? 204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

beforeEach(() => {
  received = [];
  receiverStatuses = [];
  answered = false;
});

afterEach(async () => {
  await simulator?.close();
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('PartnerSimulator: requests', () => {
  it('given the same idempotency key twice, then it performs once, counts two calls and replays the first answer', async () => {
    await startSimulator();
    const reserve = request();

    const first = await adapter('inventory').perform(reserve);
    const second = await adapter('inventory').perform(reserve);

    expect(first).toMatchObject({ kind: 'DONE', reference: expect.stringMatching(/^inventory-[0-9a-f]+$/), result: { reservationId: expect.any(String) } });
    expect(second).toEqual(first);
    expect(simulator.callCount(reserve.idempotencyKey)).toBe(2);
    expect(simulator.effectCount(reserve.idempotencyKey)).toBe(1);
    expect(simulator.systemCallCount('inventory')).toBe(2);
    expect(simulator.systemEffectCount('inventory')).toBe(1);
    expect(simulator.calls()).toEqual([
      { system: 'inventory', taskType: 'RESERVE_RESOURCE', idempotencyKey: reserve.idempotencyKey, externalCorrelationId: reserve.externalCorrelationId, at: expect.any(String) },
      { system: 'inventory', taskType: 'RESERVE_RESOURCE', idempotencyKey: reserve.idempotencyKey, externalCorrelationId: reserve.externalCorrelationId, at: expect.any(String) },
    ]);
  });

  it.each([
    ['no Idempotency-Key', {}, JSON.stringify({}), 400, 'IDEMPOTENCY_KEY_MISSING'],
    ['an Idempotency-Key with a control character', { 'idempotency-key': 'a\tb' }, JSON.stringify({}), 400, 'IDEMPOTENCY_KEY_INVALID'],
    ['a body that is not JSON', { 'idempotency-key': 'k-1' }, '{', 400, 'INVALID_BODY'],
    ['a body without taskId', { 'idempotency-key': 'k-1' }, JSON.stringify({ taskType: 'RESERVE_RESOURCE', tenantId: 't', orderId: 'o', orderItemId: 'i', externalCorrelationId: 'c', input: {} }), 400, 'INVALID_BODY'],
    ['a task type inventory does not perform', { 'idempotency-key': 'k-1' }, JSON.stringify({ ...request({ taskType: 'ACTIVATE_BILLING' }), idempotencyKey: undefined }), 422, 'UNSUPPORTED_OPERATION'],
  ])('given %s, then it answers a problem and performs nothing', async (_label, headers, body, status, code) => {
    await startSimulator();

    const res = await postRaw('/inventory/tasks', body, headers);

    expect(res).toMatchObject({ status, type: 'application/problem+json', body: { status, code } });
    expect(simulator.systemEffectCount('inventory')).toBe(0);
  });

  it('given a key already performed, when it comes back with another body, then 422 and no second effect', async () => {
    await startSimulator();
    const first = request();
    await adapter('inventory').perform(first);

    const error = await failure(adapter('inventory').perform({ ...first, input: { productCode: 'OTHER' } }));

    expect(error).toBeInstanceOf(PartnerRejectedError);
    expect(error).toMatchObject({ details: { status: 422, partnerCode: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(simulator.effectCount(first.idempotencyKey)).toBe(1);
  });

  it('given failFirst 2, then the first two calls of a key are transient and the third performs once', async () => {
    await startSimulator({ modes: [{ system: 'inventory', modes: { failFirst: 2 } }] });
    const reserve = request();

    for (let i = 0; i < 2; i++) {
      const error = await failure(adapter('inventory').perform(reserve));
      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'PARTNER.UNAVAILABLE', details: { status: 503 } });
    }
    const outcome = await adapter('inventory').perform(reserve);

    expect(outcome.kind).toBe('DONE');
    expect(simulator.callCount(reserve.idempotencyKey)).toBe(3);
    expect(simulator.effectCount(reserve.idempotencyKey)).toBe(1);
  });

  it('given reject, then the adapter raises PartnerRejectedError with the partner code and nothing is performed', async () => {
    await startSimulator();
    simulator.configure('billing', { reject: { status: 409, code: 'ACCOUNT_CLOSED', message: 'billing account is closed' } }, 'ACTIVATE_BILLING');
    const activate = request({ taskType: 'ACTIVATE_BILLING' });

    const error = await failure(adapter('billing').perform(activate));

    expect(error).toBeInstanceOf(PartnerRejectedError);
    expect(error).toMatchObject({ code: 'PARTNER.REJECTED', details: { system: 'billing', status: 409, partnerCode: 'ACCOUNT_CLOSED' } });
    expect(error.message).toContain('billing account is closed');
    expect(simulator.effectCount(activate.idempotencyKey)).toBe(0);
    expect(simulator.pendingCallbacks()).toBe(0);
    // the rule is the task type's: another billing operation is served
    expect((await adapter('billing').perform(request({ taskType: 'REVERSE_BILLING_ACTIVATION' }))).kind).toBe('DONE');
  });

  it('given hang, then the client gives up with a transient error after its timeout, and close() ends the stalled request', async () => {
    await startSimulator({ defaults: { hang: true } });
    const started = Date.now();

    const error = await failure(adapter('inventory', 200).perform(request()));

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PARTNER.UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(simulator.systemEffectCount('inventory')).toBe(0);
  });

  it('given loseAnswer, then the effect happens although the client times out, and the retry gets the stored answer', async () => {
    await startSimulator();
    simulator.configure('inventory', { loseAnswer: true });
    const reserve = request();

    expect(await failure(adapter('inventory', 200).perform(reserve))).toBeInstanceOf(TransientError);
    simulator.configure('inventory', { loseAnswer: undefined });
    const outcome = await adapter('inventory').perform(reserve);

    expect(outcome.kind).toBe('DONE');
    expect(simulator.effectCount(reserve.idempotencyKey)).toBe(1);
    expect(simulator.callCount(reserve.idempotencyKey)).toBe(2);
  });

  it('given latencyMs, then the answer comes no sooner', async () => {
    await startSimulator({ defaults: { latencyMs: 80 } });
    const started = Date.now();

    await adapter('notification').perform(request({ taskType: 'SEND_CUSTOMER_NOTIFICATION' }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('reset() restores the construction-time modes and forgets calls', async () => {
    await startSimulator({ modes: [{ system: 'inventory', modes: { failFirst: 1 } }] });
    simulator.configure('inventory', { reject: { status: 400, code: 'NO', message: 'no' } });
    await failure(adapter('inventory').perform(request()));

    simulator.reset();

    expect(simulator.calls()).toEqual([]);
    const again = request();
    expect(await failure(adapter('inventory').perform(again))).toBeInstanceOf(TransientError);
    expect((await adapter('inventory').perform(again)).kind).toBe('DONE');
  });

  it('calls back to loopback only, and refuses a secret it cannot sign with', () => {
    expect(() => new PartnerSimulator({ callbackBaseUrl: 'http://partner.example.com' })).toThrow(BugError);
    expect(() => new PartnerSimulator({ callbackBaseUrl: receiverUrl, secrets: { billing: 'whsec_!!not base64!!' } })).toThrow(expect.objectContaining({ code: 'SIMULATOR.BAD_SECRET' }));
    expect(() => new PartnerSimulator({ callbackBaseUrl: receiverUrl }).setCallbackBaseUrl('https://10.0.0.1:8443')).toThrow(BugError);
  });
});

describe('PartnerSimulator: callbacks', () => {
  it('given an asynchronous operation, then it answers ACCEPTED and posts a signed callback that verifies', async () => {
    await startSimulator();
    const provision = request({ taskType: 'CREATE_PROVISIONING_REQUEST' });

    const outcome = await adapter('provisioning').perform(provision);
    expect(outcome).toMatchObject({ kind: 'ACCEPTED', reference: expect.stringMatching(/^provisioning-/) });
    await simulator.whenIdle();

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ system: 'provisioning', verified: true, webhookId: expect.stringMatching(/^msg_/) });
    const callback = partnerCallbackSchema.parse(JSON.parse(received[0]!.body));
    expect(callback).toEqual({
      externalCorrelationId: provision.externalCorrelationId,
      outcome: 'SUCCEEDED',
      reference: outcome.reference,
      result: { serviceId: outcome.reference, provisioningStatus: 'COMPLETED' },
      occurredAt: expect.any(String),
    });
    // and a secret of another system does not verify it
    const headers = { 'webhook-id': received[0]!.webhookId, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' };
    expect(() => new Webhook(simulator.secretOf('billing')).verify(received[0]!.body, headers)).toThrow();
  });

  it('given the secrets passed in, then callbacks are signed with them', async () => {
    const secret = `whsec_${Buffer.from('appointment-secret-0123456789').toString('base64')}`;
    await startSimulator({ secrets: { appointment: secret } });

    await adapter('appointment').perform(request({ taskType: 'SCHEDULE_APPOINTMENT' }));
    await simulator.whenIdle();

    expect(simulator.secretOf('appointment')).toBe(secret);
    expect(received).toMatchObject([{ system: 'appointment', verified: true }]);
  });

  it('given SCHEDULE_SHIPMENT, then it answers DONE and confirms the delivery later with the same correlation id', async () => {
    await startSimulator();
    const ship = request({ taskType: 'SCHEDULE_SHIPMENT' });

    const outcome = await adapter('shipping').perform(ship);
    await simulator.whenIdle();

    expect(outcome).toMatchObject({ kind: 'DONE', result: { shipmentId: outcome.reference, trackingNumber: expect.any(String) } });
    expect(received).toMatchObject([{ system: 'shipping', verified: true }]);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ externalCorrelationId: ship.externalCorrelationId, outcome: 'SUCCEEDED', result: { deliveryStatus: 'DELIVERED' } });
  });

  it('given inventory, notification and the other synchronous operations, then nothing calls back', async () => {
    await startSimulator();

    await adapter('inventory').perform(request({ taskType: 'CHECK_SERVICEABILITY' }));
    await adapter('notification').perform(request({ taskType: 'SEND_CUSTOMER_NOTIFICATION' }));
    await adapter('shipping').perform(request({ taskType: 'CANCEL_SHIPMENT' }));

    expect(simulator.pendingCallbacks()).toBe(0);
    await simulator.whenIdle();
    expect(received).toEqual([]);
  });

  it('given the streaming partner, then it opens and closes an account at once and never calls back', async () => {
    await startSimulator();

    const opened = await adapter('streaming').perform(request({ taskType: 'CREATE_PROVISIONING_REQUEST' }));
    const closed = await adapter('streaming').perform(request({ taskType: 'DEACTIVATE_SERVICE' }));

    expect(opened).toMatchObject({ kind: 'DONE', reference: expect.stringMatching(/^streaming-/), result: { serviceId: opened.reference, provisioningStatus: 'COMPLETED' } });
    expect(closed).toMatchObject({ kind: 'DONE', result: { provisioningStatus: 'DEACTIVATED' } });
    expect(simulator.systemEffectCount('streaming')).toBe(2);
    expect(simulator.pendingCallbacks()).toBe(0);
    await simulator.whenIdle();
    expect(received).toEqual([]);
  });

  it('given a repeated request, then only the first one calls back', async () => {
    await startSimulator();
    const activate = request({ taskType: 'ACTIVATE_BILLING' });

    await adapter('billing').perform(activate);
    await adapter('billing').perform(activate);
    await simulator.whenIdle();

    expect(received).toHaveLength(1);
  });

  it('given duplicateCallback, then the same signed callback arrives twice under the same webhook-id', async () => {
    await startSimulator({ modes: [{ system: 'billing', modes: { duplicateCallback: true } }] });

    await adapter('billing').perform(request({ taskType: 'ACTIVATE_BILLING' }));
    await simulator.whenIdle();

    expect(received).toHaveLength(2);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received[1]!.webhookId).toBe(received[0]!.webhookId);
    expect(received[1]!.body).toBe(received[0]!.body);
  });

  it('given duplicateCallbackNewId, then the same payload arrives again under a new webhook-id', async () => {
    await startSimulator({ modes: [{ system: 'billing', modes: { duplicateCallbackNewId: true } }] });

    await adapter('billing').perform(request({ taskType: 'ACTIVATE_BILLING' }));
    await simulator.whenIdle();

    expect(received).toHaveLength(2);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received[1]!.webhookId).not.toBe(received[0]!.webhookId);
    expect(received[1]!.body).toBe(received[0]!.body);
  });

  it('given callbackOutcome FAILED, then the callback reports the failure and its reason', async () => {
    await startSimulator({ defaults: { callbackDelayMs: 0, callbackOutcome: 'FAILED', callbackReason: 'port unavailable' } });
    const provision = request({ taskType: 'CREATE_PROVISIONING_REQUEST' });

    await adapter('provisioning').perform(provision);
    await simulator.whenIdle();

    expect(JSON.parse(received[0]!.body)).toEqual({ externalCorrelationId: provision.externalCorrelationId, outcome: 'FAILED', reference: expect.any(String), reason: 'port unavailable', occurredAt: expect.any(String) });
  });

  it('given noCallback, then it accepts and never calls back', async () => {
    await startSimulator({ defaults: { noCallback: true } });

    expect((await adapter('appointment').perform(request({ taskType: 'SCHEDULE_APPOINTMENT' }))).kind).toBe('ACCEPTED');

    expect(simulator.pendingCallbacks()).toBe(0);
    expect(received).toEqual([]);
  });

  it('given callbackFirst, then the callback arrives before the request is answered', async () => {
    await startSimulator({ defaults: { callbackFirst: true, callbackDelayMs: 5000 } });

    const outcome = await adapter('provisioning').perform(request({ taskType: 'CREATE_PROVISIONING_REQUEST' })).finally(() => (answered = true));

    expect(outcome.kind).toBe('ACCEPTED');
    expect(received).toMatchObject([{ system: 'provisioning', verified: true, answeredBefore: false }]);
    expect(simulator.pendingCallbacks()).toBe(0);
  });

  it('given a receiver that answers 500, then the callback is retried under the same webhook-id until a 2xx', async () => {
    await startSimulator({ callbackRetry: { initialDelayMs: 20 } });
    receiverStatuses = [500, 503];

    await adapter('provisioning').perform(request({ taskType: 'CREATE_PROVISIONING_REQUEST' }));
    await simulator.whenIdle();

    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.webhookId)).size).toBe(1);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(simulator.callbackAttempts().map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 204],
    ]);
  });

  it('given a receiver that never accepts, then delivery stops after the last try', async () => {
    await startSimulator({ callbackRetry: { initialDelayMs: 5, maxAttempts: 3 } });
    receiverStatuses = [500, 500, 500, 500];

    await adapter('appointment').perform(request({ taskType: 'SCHEDULE_APPOINTMENT' }));
    await simulator.whenIdle();

    expect(received).toHaveLength(3);
    expect(simulator.pendingCallbacks()).toBe(0);
  });

  it('given a receiver that is down, then network errors are retried until it listens', async () => {
    await startSimulator({ callbackRetry: { initialDelayMs: 20 } });
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    simulator.setCallbackBaseUrl(downUrl);

    await adapter('billing').perform(request({ taskType: 'ACTIVATE_BILLING' }));
    await new Promise((resolve) => setTimeout(resolve, 40));
    simulator.setCallbackBaseUrl(receiverUrl);
    await simulator.whenIdle();

    const statuses = simulator.callbackAttempts().map((a) => a.status);
    expect(statuses[0]).toBeNull();
    expect(statuses.at(-1)).toBe(204);
    expect(received).toHaveLength(1);
  });

  it('given holdCallbacks, then callbacks wait until released, and whenIdle does not wait for them', async () => {
    await startSimulator({ defaults: { callbackDelayMs: 0, holdCallbacks: true } });
    const first = request({ taskType: 'ACTIVATE_BILLING' });
    const second = request({ taskType: 'ACTIVATE_BILLING' });
    await adapter('billing').perform(first);
    await adapter('billing').perform(second);

    await simulator.whenIdle();
    expect(simulator.pendingCallbacks()).toBe(2);
    expect(simulator.heldCallbacks()).toBe(2);
    expect(received).toEqual([]);

    expect(await simulator.deliverCallbackNow(second.externalCorrelationId)).toBe(1);
    expect(received.map((r) => JSON.parse(r.body).externalCorrelationId)).toEqual([second.externalCorrelationId]);

    expect(simulator.releaseCallbacks()).toBe(1);
    await simulator.whenIdle();
    expect(received.map((r) => JSON.parse(r.body).externalCorrelationId)).toEqual([second.externalCorrelationId, first.externalCorrelationId]);
    expect(simulator.pendingCallbacks()).toBe(0);
  });

  it('given callbacks still waiting, when the simulator closes, then none is sent and none is left', async () => {
    await startSimulator({ defaults: { callbackDelayMs: 50 } });
    await adapter('billing').perform(request({ taskType: 'ACTIVATE_BILLING' }));

    await simulator.close();
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect(simulator.pendingCallbacks()).toBe(0);
    expect(received).toEqual([]);
    await simulator.whenIdle();
  });
});
