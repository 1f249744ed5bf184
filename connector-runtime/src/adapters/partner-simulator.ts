/**
 * The partner systems (`partnerSystems`), played over HTTP on loopback exactly as real partners would answer
 * (docs/architecture.md §1, §8: `npm start` and the tests run against it; seed §9–§11 are what it exercises).
 *
 * - `POST /{system}/tasks` with a JSON body and an `Idempotency-Key` header (missing or invalid:
 *   400 problem+json); the operation table is `partner-operations.ts`.
 * - Idempotency: the first successful call of a key performs the effect and stores the answer; a
 *   repeat gets the stored answer (`Idempotent-Replayed: true`) and performs nothing; the same key
 *   with another body is 422. Failed calls (503, refusals, hangs) perform nothing.
 * - Synchronous operations answer 200 DONE; asynchronous ones 202 ACCEPTED and post a callback to
 *   `{callbackBaseUrl}/api/v1/integrations/{system}/callbacks` after `callbackDelayMs`, signed with
 *   Standard Webhooks. SCHEDULE_SHIPMENT answers DONE and confirms the delivery later the same way.
 * - Callback delivery retries as a webhook sender does: non-2xx or network error -> again after
 *   100 ms, doubling, at most 8 tries, the same webhook-id and body, signed afresh each try.
 * - Failure modes ({@link SimulatorModes}) per system and task type, at construction and at run time.
 *
 * It listens on 127.0.0.1 only, calls back to loopback only, and {@link PartnerSimulator.close}
 * stops every timer, socket and delivery.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { externalSystems, fulfillmentTaskTypes, type ExternalSystem, type FulfillmentTaskType } from '../domain/vocabulary';
import { BugError } from '../errors';
import { partnerSystems, type PartnerCallback, type PartnerJson, type PartnerSystem } from './partner-adapter';
import { callsBack, partnerOperation, performsOperation } from './partner-operations';

/** How a simulated partner misbehaves (or is slow); every field is off when absent. */
export interface SimulatorModes {
  /** The first n calls of each idempotency key answer 503 (and perform nothing). */
  failFirst?: number;
  /** Refuse every new request with this 4xx; a key already performed keeps its stored answer. */
  reject?: { status: number; code: string; message: string };
  /** Never answer: the socket stays open until the client gives up or the simulator closes. */
  hang?: boolean;
  /** Perform the request (effect, stored answer, callback) but never answer: a lost response. */
  loseAnswer?: boolean;
  /** Wait this long before handling a call, in ms. */
  latencyMs?: number;
  /** Wait this long before posting a callback, in ms (default 200). */
  callbackDelayMs?: number;
  /** Accept, but never call back (timeout tests). */
  noCallback?: boolean;
  /** Deliver each callback twice under the same webhook-id (a redelivery). */
  duplicateCallback?: boolean;
  /** Deliver each callback's payload a second time under a new webhook-id (a re-sent event). */
  duplicateCallbackNewId?: boolean;
  /** The outcome callbacks report (default SUCCEEDED). */
  callbackOutcome?: 'SUCCEEDED' | 'FAILED';
  /** The reason a FAILED callback gives. */
  callbackReason?: string;
  /** Post the callback before answering the request ("callback before subscription"). */
  callbackFirst?: boolean;
  /** Keep callbacks queued until {@link PartnerSimulator.releaseCallbacks} or {@link PartnerSimulator.deliverCallbackNow}. */
  holdCallbacks?: boolean;
}

/** Modes for one system, or one task type of it. */
export interface SimulatorModeRule {
  system: PartnerSystem;
  taskType?: FulfillmentTaskType;
  modes: SimulatorModes;
}

/** How callbacks are retried. */
export interface CallbackRetryOptions {
  /** Wait before the second try, doubled each try after, in ms (default 100). */
  initialDelayMs?: number;
  /** Tries in all, the first included (default 8). */
  maxAttempts?: number;
  /** Time one try may take, in ms (default 5000). */
  timeoutMs?: number;
}

/** Options of {@link PartnerSimulator}. */
export interface PartnerSimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Base URL of the runtime's callback route, on loopback; may be set later with `setCallbackBaseUrl`. */
  callbackBaseUrl: string;
  /** `whsec_` secret each system signs its callbacks with; a missing one is generated (read it with `secretOf`). */
  secrets?: Partial<Record<PartnerSystem, string>>;
  log?: Logger;
  /** Modes of every system and task type, under the rules. */
  defaults?: SimulatorModes;
  /** Modes per system (and task type); a task-type rule wins over its system's. */
  modes?: readonly SimulatorModeRule[];
  callbackRetry?: CallbackRetryOptions;
}

/** One accepted call (a body and key that validated). */
export interface SimulatorCall {
  system: PartnerSystem;
  taskType: FulfillmentTaskType;
  idempotencyKey: string;
  externalCorrelationId: string;
  /** ISO timestamp of arrival. */
  at: string;
}

/** One try to deliver a callback. */
export interface CallbackAttempt {
  system: ExternalSystem;
  webhookId: string;
  externalCorrelationId: string;
  /** 1 for the first try of this webhook-id. */
  attempt: number;
  /** The receiver's HTTP status; null for a network error or timeout. */
  status: number | null;
  at: string;
}

/** A fresh `whsec_` secret for each system that calls back. */
export function generateSimulatorSecrets(): Record<ExternalSystem, string> {
  return Object.fromEntries(externalSystems.map((system) => [system, newSecret()])) as Record<ExternalSystem, string>;
}

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The body a simulated partner accepts. */
export const simulatorRequestSchema = z.object({
  taskType: z.enum(fulfillmentTaskTypes),
  tenantId: z.string().min(1).max(64),
  orderId: z.string().min(1).max(128),
  orderItemId: z.string().min(1).max(128),
  taskId: z.string().min(1).max(128),
  externalCorrelationId: z.string().min(1).max(256),
  input: z.record(z.string(), z.json()),
});
type SimulatorRequest = z.infer<typeof simulatorRequestSchema>;

const idempotencyKeyPattern = /^[\x20-\x7e]{1,255}$/;
const bodyLimitBytes = 1024 * 1024;
const defaultCallbackDelayMs = 200;
// The logs are for tests and diagnosis; a simulator running for days under `npm start` keeps the latest only.
const logLimit = 10_000;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

interface KeyState {
  calls: number;
  effects: number;
  fingerprint?: string;
  answer?: StoredAnswer;
}

/** One webhook (one webhook-id) until it is delivered or given up. */
interface Delivery {
  system: ExternalSystem;
  externalCorrelationId: string;
  webhookId: string;
  body: string;
  attempts: number;
  held: boolean;
  inFlight: boolean;
  timer?: NodeJS.Timeout;
  abort?: AbortController;
  /** What is sent after this one ends: the same payload again, under the same or a new webhook-id. */
  then: ('same-id' | 'new-id')[];
  waiters: ((delivered: boolean) => void)[];
}

// Plausible fields each operation answers with (DONE) or reports in its callback.
const answerResults: Partial<Record<FulfillmentTaskType, (reference: string) => Record<string, PartnerJson>>> = {
  CHECK_SERVICEABILITY: () => ({ serviceable: true, technology: 'FTTH', maxDownstreamMbps: 1000 }),
  // Answered at once only by a synchronous owner (streaming); provisioning reports these in its callback.
  CREATE_PROVISIONING_REQUEST: (reference) => ({ serviceId: reference, provisioningStatus: 'COMPLETED' }),
  DEACTIVATE_SERVICE: () => ({ provisioningStatus: 'DEACTIVATED' }),
  RESERVE_RESOURCE: (reference) => ({ reservationId: reference }),
  RELEASE_RESOURCE: () => ({ released: true }),
  SCHEDULE_SHIPMENT: (reference) => ({ shipmentId: reference, carrier: 'SimPost', trackingNumber: `SP${randomBytes(5).toString('hex').toUpperCase()}` }),
  CANCEL_SHIPMENT: () => ({ cancelled: true }),
  REVERSE_BILLING_ACTIVATION: () => ({ reversed: true }),
  CANCEL_APPOINTMENT: () => ({ cancelled: true }),
  SEND_CUSTOMER_NOTIFICATION: (reference) => ({ notificationId: reference, channel: 'EMAIL' }),
};
const callbackResults: Partial<Record<FulfillmentTaskType, (reference: string) => Record<string, PartnerJson>>> = {
  CREATE_PROVISIONING_REQUEST: (reference) => ({ serviceId: reference, provisioningStatus: 'COMPLETED' }),
  WAIT_PROVISIONING_COMPLETED: (reference) => ({ serviceId: reference, provisioningStatus: 'COMPLETED' }),
  DEACTIVATE_SERVICE: () => ({ provisioningStatus: 'DEACTIVATED' }),
  ACTIVATE_BILLING: (reference) => ({ billingAccountId: reference, billingStatus: 'ACTIVE' }),
  DEACTIVATE_BILLING: () => ({ billingStatus: 'DEACTIVATED' }),
  SCHEDULE_APPOINTMENT: (reference) => ({ appointmentId: reference, slotStart: new Date(Date.now() + 86_400_000).toISOString() }),
  SCHEDULE_SHIPMENT: (reference) => ({ shipmentId: reference, deliveryStatus: 'DELIVERED', deliveredAt: new Date().toISOString() }),
};

/** The partner systems over HTTP; see the file header. */
export class PartnerSimulator {
  private readonly server: Server;
  private readonly port: number;
  private callbackBaseUrl: string;
  private readonly secrets: Record<PartnerSystem, string>;
  private readonly log: Logger | undefined;
  private readonly defaults: SimulatorModes;
  private readonly initialRules: ReadonlyMap<string, SimulatorModes>;
  private rules: Map<string, SimulatorModes>;
  private readonly retry: Required<CallbackRetryOptions>;

  private readonly keys = new Map<string, KeyState>();
  private readonly systemCalls = new Map<PartnerSystem, { calls: number; effects: number }>();
  private callLog: SimulatorCall[] = [];
  private attemptLog: CallbackAttempt[] = [];
  private readonly deliveries = new Set<Delivery>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly stalled = new Set<ServerResponse>();
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(options: PartnerSimulatorOptions) {
    this.port = options.port ?? 0;
    this.callbackBaseUrl = loopbackUrl(options.callbackBaseUrl);
    this.secrets = Object.fromEntries(partnerSystems.map((system) => [system, options.secrets?.[system] ?? newSecret()])) as Record<PartnerSystem, string>;
    for (const system of partnerSystems) {
      try {
        new Webhook(this.secrets[system]);
      } catch (error) {
        // Found now rather than at the first callback, where it would only be a log line.
        throw new BugError('SIMULATOR.BAD_SECRET', `the ${system} callback secret is not a Standard Webhooks secret`, { system }, { cause: error });
      }
    }
    this.log = options.log?.child({ component: 'partner-simulator' });
    this.defaults = { ...options.defaults };
    const rules = new Map<string, SimulatorModes>();
    for (const rule of options.modes ?? []) rules.set(ruleKey(rule.system, rule.taskType), { ...rules.get(ruleKey(rule.system, rule.taskType)), ...rule.modes });
    this.initialRules = rules;
    this.rules = new Map([...rules].map(([key, modes]) => [key, { ...modes }]));
    this.retry = {
      initialDelayMs: options.callbackRetry?.initialDelayMs ?? 100,
      maxAttempts: options.callbackRetry?.maxAttempts ?? 8,
      timeoutMs: options.callbackRetry?.timeoutMs ?? 5000,
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log?.error({ err: error }, 'simulated partner failed to answer');
        if (!res.headersSent && !this.closed) sendProblem(res, 500, 'INTERNAL', 'the simulated partner failed');
        else res.destroy();
      });
    });
  }

  /** Listens on 127.0.0.1; `url` is the base URL for {@link HttpPartnerAdapter}. */
  async start(): Promise<{ url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}` };
  }

  /** Where callbacks go from now on (the runtime's port is known only once it listens); loopback only. */
  setCallbackBaseUrl(url: string): void {
    this.callbackBaseUrl = loopbackUrl(url);
  }

  /** The secret `system` signs its callbacks with. */
  secretOf(system: PartnerSystem): string {
    return this.secrets[system];
  }

  /**
   * Changes the modes of `system` (or of one task type of it) from now on; the given fields replace
   * the current ones, `undefined` turns one off.
   */
  configure(system: PartnerSystem, modes: SimulatorModes, taskType?: FulfillmentTaskType): void {
    const key = ruleKey(system, taskType);
    this.rules.set(key, { ...this.rules.get(key), ...modes });
  }

  /**
   * Back to the construction-time modes, with every call, stored answer, held callback and logged
   * attempt forgotten; deliveries already scheduled or in flight finish.
   */
  reset(): void {
    this.rules = new Map([...this.initialRules].map(([key, modes]) => [key, { ...modes }]));
    this.keys.clear();
    this.systemCalls.clear();
    this.callLog = [];
    this.attemptLog = [];
    for (const delivery of this.deliveries) if (delivery.held) this.finish(delivery, false, false);
  }

  /** Calls (validated ones) made with `idempotencyKey`, over every system. */
  callCount(idempotencyKey: string): number {
    return this.sumKeys(idempotencyKey, (state) => state.calls);
  }

  /** Effects performed for `idempotencyKey`: 1 once performed, however often it was repeated. */
  effectCount(idempotencyKey: string): number {
    return this.sumKeys(idempotencyKey, (state) => state.effects);
  }

  /** Calls made to `system`. */
  systemCallCount(system: PartnerSystem): number {
    return this.systemCalls.get(system)?.calls ?? 0;
  }

  /** Effects `system` performed. */
  systemEffectCount(system: PartnerSystem): number {
    return this.systemCalls.get(system)?.effects ?? 0;
  }

  /** Every validated call, in arrival order (the latest 10 000). */
  calls(): readonly SimulatorCall[] {
    return [...this.callLog];
  }

  /** Every callback try, in order (the latest 10 000). */
  callbackAttempts(): readonly CallbackAttempt[] {
    return [...this.attemptLog];
  }

  /** Callbacks not yet delivered nor given up: waiting, held, in flight or waiting to retry. */
  pendingCallbacks(): number {
    return this.deliveries.size;
  }

  /** Callbacks held by `holdCallbacks`. */
  heldCallbacks(): number {
    return [...this.deliveries].filter((delivery) => delivery.held).length;
  }

  /**
   * Resolves when no callback is scheduled, in flight or waiting to retry. Held callbacks do not
   * count: they wait for a release that only the test can give.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends the held callbacks (all, or those of one system or correlation id) now; returns how many. */
  releaseCallbacks(filter: { system?: ExternalSystem; externalCorrelationId?: string } = {}): number {
    const released = [...this.deliveries].filter(
      (delivery) =>
        delivery.held &&
        (filter.system === undefined || delivery.system === filter.system) &&
        (filter.externalCorrelationId === undefined || delivery.externalCorrelationId === filter.externalCorrelationId),
    );
    for (const delivery of released) {
      delivery.held = false;
      this.schedule(delivery, 0);
    }
    return released.length;
  }

  /**
   * Sends the callbacks of `externalCorrelationId` now, held or waiting, without their delay;
   * resolves when they have ended (delivered or given up, retries included) with how many arrived.
   */
  async deliverCallbackNow(externalCorrelationId: string): Promise<number> {
    const due = [...this.deliveries].filter((delivery) => delivery.externalCorrelationId === externalCorrelationId);
    const ended = due.map((delivery) => new Promise<boolean>((resolve) => delivery.waiters.push(resolve)));
    for (const delivery of due) {
      delivery.held = false;
      if (!delivery.inFlight) void this.attempt(delivery);
    }
    return (await Promise.all(ended)).filter(Boolean).length;
  }

  /** Stops listening, drops every queued callback and stalled request, and ends every timer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const delivery of this.deliveries) {
      clearTimeout(delivery.timer);
      delivery.abort?.abort();
      for (const waiter of delivery.waiters.splice(0)) waiter(false);
    }
    this.deliveries.clear();
    for (const [timer, wake] of this.sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.sleeps.clear();
    for (const res of this.stalled) res.destroy();
    this.stalled.clear();
    this.notifyIdle();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- requests ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const system = /^\/([a-z]+)\/tasks\/?$/.exec(path)?.[1];
    if (system === undefined || !(partnerSystems as readonly string[]).includes(system)) {
      return sendProblem(res, 404, 'NOT_FOUND', `no partner at ${path}`);
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendProblem(res, 405, 'METHOD_NOT_ALLOWED', 'only POST is served');
    }
    const raw = await readBody(req);
    if (raw === undefined) return sendProblem(res, 413, 'BODY_TOO_LARGE', `the body exceeds ${bodyLimitBytes} bytes`);
    const idempotencyKey = req.headers['idempotency-key'];
    if (typeof idempotencyKey !== 'string' || idempotencyKey === '') return sendProblem(res, 400, 'IDEMPOTENCY_KEY_MISSING', 'the Idempotency-Key header is required');
    if (!idempotencyKeyPattern.test(idempotencyKey)) return sendProblem(res, 400, 'IDEMPOTENCY_KEY_INVALID', 'the Idempotency-Key header must be 1 to 255 printable ASCII characters');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendProblem(res, 400, 'INVALID_BODY', 'the body is not JSON');
    }
    const parsed = simulatorRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      return sendProblem(res, 400, 'INVALID_BODY', `the body is not a task request (${issues})`);
    }
    return this.perform(system as PartnerSystem, idempotencyKey, parsed.data, raw, res);
  }

  private async perform(system: PartnerSystem, idempotencyKey: string, request: SimulatorRequest, raw: Buffer, res: ServerResponse): Promise<void> {
    const { taskType } = request;
    if (!performsOperation(system, taskType)) return sendProblem(res, 422, 'UNSUPPORTED_OPERATION', `${system} does not perform ${taskType}`);
    const operation = partnerOperation(system, taskType);
    const state = this.keyState(system, idempotencyKey);
    const totals = this.systemTotals(system);
    state.calls += 1;
    totals.calls += 1;
    pushBounded(this.callLog, { system, taskType, idempotencyKey, externalCorrelationId: request.externalCorrelationId, at: new Date().toISOString() });
    const modes = this.modesFor(system, taskType);
    this.log?.debug({ system, taskType, externalCorrelationId: request.externalCorrelationId, call: state.calls }, 'simulated partner called');

    if (modes.latencyMs) await this.sleep(modes.latencyMs);
    if (this.closed) return void res.destroy();
    if (modes.hang) return this.stall(res);
    if (modes.failFirst !== undefined && state.calls <= modes.failFirst) {
      return sendProblem(res, 503, 'UNAVAILABLE', `${system} is temporarily unavailable`);
    }
    const fingerprint = createHash('sha256').update(raw).digest('hex');
    if (state.answer) {
      if (state.fingerprint !== fingerprint) return sendProblem(res, 422, 'IDEMPOTENCY_KEY_REUSED', 'the Idempotency-Key was used with another body');
      return sendJson(res, state.answer.status, state.answer.body, { 'idempotent-replayed': 'true' });
    }
    if (modes.reject) return sendProblem(res, modes.reject.status, modes.reject.code, modes.reject.message);

    // The effect: from here the key is performed, whatever happens to the answer.
    const reference = `${system}-${randomBytes(4).toString('hex')}`;
    const answer: StoredAnswer =
      operation.mode === 'SYNC'
        ? { status: 200, body: { status: 'DONE', reference, result: answerResults[taskType]?.(reference) ?? {} } }
        : { status: 202, body: { status: 'ACCEPTED', reference } };
    state.answer = answer;
    state.fingerprint = fingerprint;
    state.effects += 1;
    totals.effects += 1;

    const deliveries: Delivery[] = [];
    if (callsBack(operation) && !modes.noCallback && (externalSystems as readonly string[]).includes(system)) {
      deliveries.push(this.enqueue(system as ExternalSystem, request, reference, modes));
    }
    if (modes.callbackFirst) {
      for (const delivery of deliveries) {
        if (delivery.held) continue;
        clearTimeout(delivery.timer);
        await this.attempt(delivery);
      }
    }
    if (this.closed) return void res.destroy();
    if (modes.loseAnswer) return this.stall(res);
    sendJson(res, answer.status, answer.body);
  }

  private stall(res: ServerResponse): void {
    this.stalled.add(res);
    res.once('close', () => this.stalled.delete(res));
  }

  // ---- callbacks ----

  private enqueue(system: ExternalSystem, request: SimulatorRequest, reference: string, modes: SimulatorModes): Delivery {
    const failed = modes.callbackOutcome === 'FAILED';
    const callback: PartnerCallback = {
      externalCorrelationId: request.externalCorrelationId,
      outcome: failed ? 'FAILED' : 'SUCCEEDED',
      reference,
      ...(failed ? { reason: modes.callbackReason ?? `${system} could not complete ${request.taskType}` } : { result: callbackResults[request.taskType]?.(reference) ?? {} }),
      occurredAt: new Date().toISOString(),
    };
    const then: Delivery['then'] = [];
    if (modes.duplicateCallback) then.push('same-id');
    if (modes.duplicateCallbackNewId) then.push('new-id');
    const delivery = this.newDelivery(system, request.externalCorrelationId, newWebhookId(), JSON.stringify(callback), then);
    delivery.held = modes.holdCallbacks === true;
    if (!delivery.held) this.schedule(delivery, modes.callbackDelayMs ?? defaultCallbackDelayMs);
    return delivery;
  }

  private newDelivery(system: ExternalSystem, externalCorrelationId: string, webhookId: string, body: string, then: Delivery['then']): Delivery {
    const delivery: Delivery = { system, externalCorrelationId, webhookId, body, attempts: 0, held: false, inFlight: false, then, waiters: [] };
    this.deliveries.add(delivery);
    return delivery;
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    clearTimeout(delivery.timer);
    delivery.timer = setTimeout(() => void this.attempt(delivery), delayMs);
  }

  /** One try; on failure the next is scheduled, on success or after the last try the delivery ends. */
  private async attempt(delivery: Delivery): Promise<void> {
    if (this.closed || delivery.inFlight || !this.deliveries.has(delivery)) return;
    clearTimeout(delivery.timer);
    delivery.timer = undefined;
    delivery.inFlight = true;
    delivery.attempts += 1;
    delivery.abort = new AbortController();
    const url = `${this.callbackBaseUrl}/api/v1/integrations/${delivery.system}/callbacks`;
    // Signed afresh each try, as webhook senders do, so a late retry is not outside the receiver's tolerance.
    const sentAt = new Date();
    const signature = new Webhook(this.secrets[delivery.system]).sign(delivery.webhookId, sentAt, delivery.body);
    let status: number | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([delivery.abort.signal, AbortSignal.timeout(this.retry.timeoutMs)]),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      // A network error or timeout: retried like a non-2xx answer.
    }
    delivery.inFlight = false;
    delivery.abort = undefined;
    if (this.closed) return;
    pushBounded(this.attemptLog, { system: delivery.system, webhookId: delivery.webhookId, externalCorrelationId: delivery.externalCorrelationId, attempt: delivery.attempts, status, at: sentAt.toISOString() });
    const log = { system: delivery.system, webhookId: delivery.webhookId, externalCorrelationId: delivery.externalCorrelationId, attempt: delivery.attempts, status };
    if (status !== null && status >= 200 && status < 300) {
      this.log?.debug(log, 'simulated callback delivered');
      this.finish(delivery, true);
    } else if (delivery.attempts >= this.retry.maxAttempts) {
      this.log?.warn(log, 'simulated callback given up after its last try');
      this.finish(delivery, false);
    } else {
      this.log?.debug(log, 'simulated callback not accepted; retrying');
      this.schedule(delivery, this.retry.initialDelayMs * 2 ** (delivery.attempts - 1));
    }
  }

  private finish(delivery: Delivery, delivered: boolean, followUps = true): void {
    clearTimeout(delivery.timer);
    this.deliveries.delete(delivery);
    for (const waiter of delivery.waiters.splice(0)) waiter(delivered);
    const [next, ...rest] = followUps ? delivery.then : [];
    if (next !== undefined) {
      const webhookId = next === 'same-id' ? delivery.webhookId : newWebhookId();
      this.schedule(this.newDelivery(delivery.system, delivery.externalCorrelationId, webhookId, delivery.body, rest), 0);
    }
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.closed || [...this.deliveries].every((delivery) => delivery.held);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  // ---- bookkeeping ----

  private modesFor(system: PartnerSystem, taskType: FulfillmentTaskType): SimulatorModes {
    return { ...this.defaults, ...this.rules.get(ruleKey(system)), ...this.rules.get(ruleKey(system, taskType)) };
  }

  private keyState(system: PartnerSystem, idempotencyKey: string): KeyState {
    const key = `${system}\n${idempotencyKey}`;
    let state = this.keys.get(key);
    if (!state) {
      state = { calls: 0, effects: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  private systemTotals(system: PartnerSystem): { calls: number; effects: number } {
    let totals = this.systemCalls.get(system);
    if (!totals) {
      totals = { calls: 0, effects: 0 };
      this.systemCalls.set(system, totals);
    }
    return totals;
  }

  private sumKeys(idempotencyKey: string, pick: (state: KeyState) => number): number {
    return partnerSystems.reduce((sum, system) => sum + pick(this.keys.get(`${system}\n${idempotencyKey}`) ?? { calls: 0, effects: 0 }), 0);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      this.sleeps.set(timer, resolve);
    });
  }
}

function pushBounded<T>(log: T[], entry: T): void {
  log.push(entry);
  if (log.length > logLimit) log.splice(0, log.length - logLimit);
}

function ruleKey(system: PartnerSystem, taskType?: FulfillmentTaskType): string {
  return taskType === undefined ? system : `${system}:${taskType}`;
}

function newWebhookId(): string {
  return `msg_${randomUUID()}`;
}

/** The URL without a trailing slash, refused unless it points at this machine. */
function loopbackUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BugError('SIMULATOR.BAD_CALLBACK_URL', `callback base URL ${url} is not a URL`);
  }
  if (!loopbackHosts.has(parsed.hostname) || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new BugError('SIMULATOR.BAD_CALLBACK_URL', `the simulator calls back to loopback only, not ${parsed.host}`);
  }
  return url.replace(/\/+$/, '');
}

/** The body, or undefined when it exceeds the limit (the rest is read and dropped, so the 413 reaches the client). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= bodyLimitBytes) chunks.push(chunk);
  }
  return size > bodyLimitBytes ? undefined : Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(JSON.stringify(body));
}

/** RFC 9457 problem, with the partner's `code` and `message` that the HTTP client reads. */
function sendProblem(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { type: 'about:blank', title: code, status, detail: message, code, message }, {}, 'application/problem+json');
}
