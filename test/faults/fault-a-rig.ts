/**
 * The rig of the fault tests a)–e): the real runtime as an operating-system process (`npm start`
 * through {@link startRuntimeProcess}), its engine in-process or as a process of its own, a
 * database of its own on the real PostgreSQL, the real Kafka broker under a topic prefix of its own,
 * and the partners played in the test process — so they outlive every kill of the runtime and
 * count every side effect per idempotency key.
 *
 * The partners are a {@link PartnerSimulator} behind a recording front: every request the runtime
 * sends is logged (system, task type, Idempotency-Key, time, the status it got), and a test may
 * answer a request itself (`respond`) instead of letting the simulator perform it. The simulator
 * calls back through the runtime's signed callback route with the secrets the rig puts in
 * CALLBACK_ADAPTERS, and retries a callback for minutes, so a callback sent while the runtime is
 * down arrives once it is back.
 *
 * Orders go in through the order API with a bearer token of API_TOKENS; what happened is read from
 * the OMS tables. `invariantView` lets `expectFulfillmentInvariant` read an order of this rig.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consumeFulfillmentEvents } from '../helpers/event-consumer';
import pg from 'pg';
import { inject } from 'vitest';
import { PartnerSimulator, type SimulatorModes } from '../../connector-runtime/src/adapters/partner-simulator';
import { partnerSystems } from '../../connector-runtime/src/adapters/partner-adapter';
import { externalSystems } from '../../connector-runtime/src/domain/vocabulary';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { freePort, startEngineProcess, startRuntimeProcess, type ProcessHandle } from '../helpers/runtime-process';
import { fibreItem } from '../process/order-items';
import { installWriteTrace, type RuntimeHarness } from '../process/runtime-harness';

/** One request the runtime sent to a partner, as the front saw it. */
export interface PartnerRequestRecord {
  system: string;
  taskType: string;
  idempotencyKey: string;
  externalCorrelationId: string;
  /** Epoch ms of arrival. */
  at: number;
  /** What the runtime was answered (null: the connection closed first). */
  status: number | null;
  /** True when the test answered it (`respond`), false when the simulator did. */
  scripted: boolean;
}

/** A test's own answer to a partner request. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** One Kafka event as delivered. */
export interface DeliveredEvent {
  eventId: string;
  eventType: string;
  correlationId: string;
}

/** Options of {@link startFaultRig}. */
export interface FaultRigOptions {
  prefix: string;
  /** Run the local engine as a process of its own (a runtime kill then leaves the engine running). */
  separateEngine?: boolean;
  /** Modes of every simulated partner (default: callbacks after 20 ms). */
  simulatorDefaults?: SimulatorModes;
  /** Consume the rig's Kafka topics into `delivered`. */
  consumeKafka?: boolean;
}

/** A started rig; see the module comment. */
export interface FaultRig {
  db: TestDatabase;
  pool: pg.Pool;
  tenantId: string;
  simulator: PartnerSimulator;
  /** Every partner request, in arrival order. */
  partnerRequests: PartnerRequestRecord[];
  /** Answers a partner request itself when it returns an answer; undefined: the simulator answers. */
  respond: ((request: Omit<PartnerRequestRecord, 'status' | 'scripted'>) => ScriptedAnswer | undefined) | undefined;
  delivered: DeliveredEvent[];
  /** The running runtime process (after {@link FaultRig.startRuntime}). */
  runtime: (ProcessHandle & { httpUrl: string }) | undefined;
  /** Engine REST address (v2 API under it). */
  restAddress: string;
  /** Starts the runtime process with `env` on top of the rig's settings (same ports each time). */
  startRuntime(env?: Record<string, string>): Promise<ProcessHandle & { httpUrl: string }>;
  /** Calls the order API with the rig's token (POSTs with a fresh Idempotency-Key). */
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Creates an order of one FIBER-500 ADD item through the API and starts its fulfillment; returns its id. */
  placeFibreOrder(): Promise<string>;
  orderStatus(orderId: string): Promise<string | undefined>;
  /** Polls `probe` every `everyMs` until it returns a value, or fails after `timeoutMs` with what it last saw. */
  until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number, everyMs?: number): Promise<T>;
  /** Calls the engine's REST API (v2). */
  engineRest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  processInstanceKey(orderId: string): Promise<string | undefined>;
  /** What `expectFulfillmentInvariant` reads: pool, tenant, engine and polling of this rig. */
  invariantView(): RuntimeHarness;
  close(): Promise<void>;
}

/** The one-item order of the fault tests: five tasks, two of them asynchronous with a callback each. */
export function fibreOrderBody(): Record<string, unknown> {
  return {
    externalRef: `FAULT-${randomUUID().slice(0, 8)}`,
    items: [fibreItem()],
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Starts everything but the runtime process (see {@link FaultRig.startRuntime}). */
export async function startFaultRig(options: FaultRigOptions): Promise<FaultRig> {
  const db = await createTestDatabase(options.prefix);
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const apiToken = `fault_${randomUUID().replace(/-/g, '')}`;
  const topicPrefix = `fault-${randomUUID().slice(0, 8)}.`;
  const brokers = inject('kafkaBrokers');
  const cleanups: (() => Promise<unknown>)[] = [async () => db.drop()];

  // Callbacks are retried for minutes (0.2 s doubling, 12 tries), so one sent during a restart arrives.
  const simulator = new PartnerSimulator({
    callbackBaseUrl: 'http://127.0.0.1:9',
    defaults: { callbackDelayMs: 20, ...options.simulatorDefaults },
    callbackRetry: { initialDelayMs: 200, maxAttempts: 12, timeoutMs: 15_000 },
  });
  const { url: simulatorUrl } = await simulator.start();
  cleanups.push(() => simulator.close());

  const partnerRequests: PartnerRequestRecord[] = [];
  const rig: FaultRig = {
    db,
    pool: undefined as unknown as pg.Pool,
    tenantId,
    simulator,
    partnerRequests,
    respond: undefined,
    delivered: [],
    runtime: undefined,
    restAddress: '',
    startRuntime: undefined as unknown as FaultRig['startRuntime'],
    async api(method, path, body) {
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` };
      if (method === 'POST') headers['idempotency-key'] = randomUUID();
      const response = await fetch(`${rig.runtime!.httpUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async placeFibreOrder() {
      const created = await rig.api('POST', '/api/v1/orders', fibreOrderBody());
      if (created.status !== 201) throw new Error(`order intake answered ${created.status}: ${JSON.stringify(created.body)}`);
      const orderId = String(created.body['orderId']);
      const started = await rig.api('POST', `/api/v1/orders/${orderId}/fulfillment/start`);
      if (started.status !== 202) throw new Error(`fulfillment start answered ${started.status}: ${JSON.stringify(started.body)}`);
      return orderId;
    },
    async orderStatus(orderId) {
      return (await rig.pool.query<{ status: string }>('select status from customer_order where tenant_id = $1 and id = $2', [tenantId, orderId])).rows[0]?.status;
    },
    async until(what, probe, timeoutMs = 60_000, everyMs = 100) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          const value = await probe();
          if (value !== undefined) return value;
          last = undefined;
        } catch (error) {
          // A probe may meet the runtime mid-restart; the deadline decides.
          last = error;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
    async engineRest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${rig.restAddress}/v2${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      if (!response.ok) throw new Error(`engine ${method} ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    async processInstanceKey(orderId) {
      return (await rig.pool.query<{ process_instance_key: string }>('select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2', [tenantId, orderId])).rows[0]
        ?.process_instance_key;
    },
    invariantView() {
      // The invariant reads only these members of a harness; the rest belongs to the in-process one.
      const view = { runtime: { pool: rig.pool }, tenantId, until: (what: string, probe: () => Promise<unknown>, timeoutMs?: number) => rig.until(what, probe, timeoutMs), engineRest: rig.engineRest, processInstanceKey: rig.processInstanceKey };
      return view as unknown as RuntimeHarness;
    },
    async close() {
      await rig.runtime?.stop(10_000).catch(() => undefined);
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    },
  };

  // The recording front of the partners: a scripted answer, or the simulator's.
  const front: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let parsed: { taskType?: string; externalCorrelationId?: string } = {};
      try {
        parsed = JSON.parse(raw.toString('utf8')) as typeof parsed;
      } catch {
        // recorded as is; the simulator answers 400
      }
      const record: PartnerRequestRecord = {
        system: /^\/([a-z]+)\//.exec(req.url ?? '')?.[1] ?? '?',
        taskType: parsed.taskType ?? '?',
        idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
        externalCorrelationId: parsed.externalCorrelationId ?? '',
        at: Date.now(),
        status: null,
        scripted: false,
      };
      partnerRequests.push(record);
      const scripted = rig.respond?.(record);
      if (scripted) {
        record.scripted = true;
        record.status = scripted.status;
        res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
        res.end(JSON.stringify(scripted.body));
        return;
      }
      const forwarded = await fetch(`${simulatorUrl}${req.url}`, {
        method: req.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...(record.idempotencyKey ? { 'idempotency-key': record.idempotencyKey } : {}) },
        body: new Uint8Array(raw),
      });
      const answer = Buffer.from(await forwarded.arrayBuffer());
      record.status = forwarded.status;
      const headers: Record<string, string> = { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' };
      const replayed = forwarded.headers.get('idempotent-replayed');
      if (replayed) headers['idempotent-replayed'] = replayed;
      res.writeHead(forwarded.status, headers);
      res.end(answer);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        front.closeAllConnections();
        front.close(() => resolve());
      }),
  );

  let engineEnv: Record<string, string> = {};
  if (options.separateEngine) {
    const engine = await startEngineProcess({ databaseUrl: db.url, env: { LOG_LEVEL: 'warn' } });
    cleanups.push(() => engine.stop(10_000));
    engineEnv = { ZEEBE_GRPC_ADDRESS: `grpc://${engine.grpcAddress.replace(/^grpc:\/\//, '')}`, ZEEBE_REST_ADDRESS: engine.restAddress, CAMUNDA_AUTH_STRATEGY: 'NONE' };
    rig.restAddress = engine.restAddress;
  } else {
    const restPort = await freePort();
    engineEnv = { LOCAL_ENGINE_REST_PORT: String(restPort), LOCAL_ENGINE_GRPC_PORT: String(await freePort()) };
    rig.restAddress = `http://127.0.0.1:${restPort}`;
  }
  const httpPort = String(await freePort());
  const baseEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    HTTP_PORT: httpPort,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    API_TOKENS: JSON.stringify({ [apiToken]: { tenantId, subject: 'fault-test', roles: ['viewer', 'operator', 'technician', 'integration'] } }),
    CALLBACK_ADAPTERS: JSON.stringify(Object.fromEntries(externalSystems.map((system) => [system, { tenantId, secrets: [simulator.secretOf(system)] }]))),
    PARTNER_URLS: JSON.stringify(Object.fromEntries(partnerSystems.map((system) => [system, frontUrl]))),
    LOG_LEVEL: 'info',
    ...engineEnv,
  };
  rig.startRuntime = async (env = {}) => {
    const runtime = await startRuntimeProcess({ ...baseEnv, ...env }, 180_000);
    rig.runtime = runtime;
    simulator.setCallbackBaseUrl(runtime.httpUrl);
    if (!rig.pool) {
      rig.pool = new pg.Pool({ connectionString: db.url, max: 4 });
      cleanups.splice(1, 0, () => rig.pool.end());
      await installWriteTrace(rig.pool);
    }
    return runtime;
  };

  if (options.consumeKafka) {
    const disconnect = await consumeFulfillmentEvents({ clientId: `fault-${options.prefix}`, brokers, topicPrefix }, (event) =>
      rig.delivered.push({ eventId: event.eventId, eventType: event.eventType, correlationId: event.correlationId }),
    );
    cleanups.push(disconnect);
  }
  return rig;
}

/** Waits until the order reaches an end state; returns it. */
export async function untilOrderEnds(rig: FaultRig, orderId: string, timeoutMs = 120_000): Promise<string> {
  const ends = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'];
  return rig.until(
    `order ${orderId} to reach an end state`,
    async () => {
      const status = await rig.orderStatus(orderId);
      return status !== undefined && ends.includes(status) ? status : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Partner side effects that happened more than once per idempotency key (the simulator's count). */
export function duplicatedEffects(rig: FaultRig): { keys: number; duplicated: number } {
  const keys = new Set(rig.simulator.calls().map((call) => call.idempotencyKey));
  let duplicated = 0;
  for (const key of keys) duplicated += Math.max(0, rig.simulator.effectCount(key) - 1);
  return { keys: keys.size, duplicated };
}
