/**
 * Scale-out (issue 13, item 5): three runtime processes on one engine process, one PostgreSQL
 * database (the engine's `local_engine_*` tables beside the OMS schema, as `npm start` keeps them
 * in-process) and one Kafka broker, complete a mix of orders submitted across their three HTTP APIs.
 *
 * Every partner request goes through one shared simulator (`partner-switchboard.ts`), and every
 * asynchronous callback is delivered to a runtime other than the one that made the request.
 *
 * What is checked:
 * - every order reaches COMPLETED, every task COMPLETED;
 * - no task executed twice: one partner call per idempotency key at the simulator, one attempt row
 *   per task, one IN_PROGRESS transition per task in the audit log, and no job key answered twice
 *   over the three runtimes' job logs;
 * - no event published twice: every outbox event id exactly once on Kafka;
 * - every runtime answered jobs (`fulfillment_jobs_total` on its /metrics) and took callbacks.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { aggregateTypes } from '../../connector-runtime/src/commands/command-context';
import { kebabCase } from '../../connector-runtime/src/relays/outbox-relay';
import { reportFault } from '../faults/fault-report';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { fibreItem, routerItem } from '../process/order-items';
import type { OrderItemInput } from '../process/runtime-harness';
import { killAllProcesses, startEngineProcess, startRuntimeProcess, type ProcessHandle } from '../helpers/runtime-process';
import { startPartnerSwitchboard, type PartnerSwitchboard } from './partner-switchboard';

const orderCount = Number(process.env['SCALE_OUT_ORDERS'] ?? 300);
const runtimeCount = 3;
// Orders submitted at once over the three APIs: enough to keep every runtime busy.
const submitConcurrency = 12;
const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
const apiToken = `scale_${randomUUID().replace(/-/g, '')}`;
const topicPrefix = `scale-${randomUUID().slice(0, 8)}.`;
const endStates = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'];

type Runtime = ProcessHandle & { httpUrl: string };
let db: TestDatabase;
let pool: pg.Pool;
let engine: ProcessHandle & { grpcAddress: string; restAddress: string };
let runtimes: Runtime[] = [];
let switchboard: PartnerSwitchboard;
let consumer: Consumer;
/** Kafka deliveries per event id. */
const deliveries = new Map<string, number>();


/** The product mix of the default catalogue: order `n` of the run. */
function orderItems(n: number): { kind: string; items: OrderItemInput[] } {
  const id = () => randomUUID();
  // STREAMING-PLUS is left out to keep the mix this test was measured with (test/process/catalog-products.int.test.ts runs it).
  switch (n % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      // asynchronous provisioning and billing callbacks
      return { kind: 'fibre', items: [fibreItem()] };
    case 5:
    case 6:
    case 7:
      // shipment with a delivery callback, then the technician's on-site confirmation
      return { kind: 'router', items: [routerItem()] };
    default: {
      const bundle: OrderItemInput = { orderItemId: id(), action: 'ADD', productType: 'BUNDLE', productCode: 'BB-HOME-BUNDLE', attributes: { contractTermMonths: 24 } };
      const line = fibreItem('ADD', {}, bundle.orderItemId);
      return { kind: 'bundle', items: [bundle, line, routerItem(bundle.orderItemId), { orderItemId: id(), parentItemId: line.orderItemId, action: 'ADD', productType: 'ADD_ON', productCode: 'STATIC-IP' }] };
    }
  }
}

async function post(runtime: Runtime, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}`, 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Waits until `probe` returns a value; fails with `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${await whereThingsStand()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** What the OMS and the runtimes show, for a failure message. */
async function whereThingsStand(): Promise<string> {
  const orders = await pool.query<{ status: string; n: string }>('select status, count(*) as n from customer_order group by status');
  const tasks = await pool.query<{ task_type: string; status: string; n: string }>('select task_type, status, count(*) as n from fulfillment_task group by 1, 2 order by 1, 2');
  const problems = runtimes.map((runtime, index) =>
    runtime
      .output()
      .split('\n')
      .filter((line) => /"level":(40|50|60)/.test(line))
      .slice(-5)
      .map((line) => `runtime ${index}: ${line.slice(0, 600)}`),
  );
  return [
    `orders ${orders.rows.map((row) => `${row.status}=${row.n}`).join(' ')}`,
    `tasks ${tasks.rows.map((row) => `${row.task_type}/${row.status}=${row.n}`).join(' ')}`,
    ...problems.flat(),
  ].join('\n');
}

/** Runs `work` over `inputs` with at most `limit` running at once. */
async function inParallel<T>(inputs: readonly T[], limit: number, work: (input: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < inputs.length) {
        const index = next++;
        await work(inputs[index]!, index);
      }
    }),
  );
}

/** `fulfillment_jobs_total` of one runtime's /metrics, summed by outcome. */
async function jobsByOutcome(runtime: Runtime): Promise<Record<string, number>> {
  const text = await (await fetch(`${runtime.httpUrl}/metrics`)).text();
  const totals: Record<string, number> = {};
  for (const match of text.matchAll(/^fulfillment_jobs_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)$/gm)) totals[match[1]!] = (totals[match[1]!] ?? 0) + Number(match[2]);
  return totals;
}

/** The job keys a runtime's log says it completed (pino JSON lines, "job <type> completed"). */
function completedJobKeys(runtime: Runtime): string[] {
  const keys: string[] = [];
  for (const line of runtime.output().split('\n')) {
    if (!line.startsWith('{') || !line.includes(' completed"')) continue;
    const entry = JSON.parse(line) as { msg?: string; jobKey?: string };
    if (entry.jobKey && /^job \S+ completed$/.test(entry.msg ?? '')) keys.push(entry.jobKey);
  }
  return keys;
}

beforeAll(async () => {
  db = await createTestDatabase('scale_out');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // The engine keeps its state in the same database as the OMS (tables local_engine_*), as `npm start` does in-process.
  engine = await startEngineProcess({ databaseUrl: db.url });
  switchboard = await startPartnerSwitchboard(runtimeCount, { callbackDelayMs: 20 });

  const brokers = inject('kafkaBrokers');
  const kafka = new Kafka({ clientId: 'scale-out-test', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topics = Object.values(aggregateTypes).map((type) => `${topicPrefix}${kebabCase(type)}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  await admin.disconnect();
  consumer = kafka.consumer({ groupId: `scale-out-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const eventId = message.headers?.['eventId']?.toString() ?? '';
      deliveries.set(eventId, (deliveries.get(eventId) ?? 0) + 1);
    },
  });

  const env = (index: number) => ({
    DATABASE_URL: db.url,
    ZEEBE_GRPC_ADDRESS: engine.grpcAddress,
    ZEEBE_REST_ADDRESS: engine.restAddress,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_CLIENT_ID: `scale-out-runtime-${index}`,
    PARTNER_URLS: switchboard.partnerUrls(index),
    CALLBACK_ADAPTERS: switchboard.callbackAdapters(tenantId),
    API_TOKENS: JSON.stringify({ [apiToken]: { tenantId, subject: 'scale-out', roles: ['viewer', 'operator', 'technician', 'integration'] } }),
  });
  // The first migrates the database and deploys the model; the other two find both done.
  const first = await startRuntimeProcess(env(0), 150_000);
  const others = await Promise.all([1, 2].map((index) => startRuntimeProcess(env(index), 150_000)));
  runtimes = [first, ...others];
  switchboard.setRuntimes(runtimes.map((runtime) => runtime.httpUrl));
}, 360_000);

afterAll(async () => {
  await consumer?.disconnect().catch(() => undefined);
  await Promise.all(runtimes.map((runtime) => runtime.stop(10_000)));
  await engine?.stop(10_000);
  await killAllProcesses();
  await switchboard?.close();
  await pool?.end();
  await db?.drop();
}, 60_000);

describe('three runtimes on one engine', () => {
  it(`complete ${orderCount} orders submitted across their APIs, each task executed once and each event published once`, async () => {
    const started = Date.now();
    const kinds = new Map<string, number>();
    const decided = new Set<string>();
    let submitting = true;
    let stopped = false;
    let technicianError: unknown;

    // The technician: decides each on-site installation once its task waits, through the runtimes in turn.
    let decisionTurn = 0;
    const technician = (async () => {
      while (!stopped && (submitting || decided.size < (kinds.get('router') ?? 0) + (kinds.get('bundle') ?? 0))) {
        const waiting = await pool.query<{ order_id: string; id: string }>(
          `select order_id, id from fulfillment_task where tenant_id = $1 and task_type = 'ONSITE_INSTALLATION_CONFIRMATION' and status = 'WAITING'`,
          [tenantId],
        );
        await Promise.all(
          waiting.rows
            .filter((row) => !decided.has(row.id))
            .map(async (row) => {
              const answer = await post(runtimes[decisionTurn++ % runtimeCount]!, `/api/v1/orders/${row.order_id}/fulfillment-tasks/${row.id}/manual-decisions`, {
                decision: 'COMPLETE',
                reason: 'Router installed and line tested on site.',
              });
              // 409 while the user task is not open yet: the next round tries again.
              if (answer.status === 200 || answer.status === 202) decided.add(row.id);
              else if (answer.status !== 409) throw new Error(`manual decision answered ${answer.status}: ${JSON.stringify(answer.body)}`);
            }),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    })().catch((error: unknown) => {
      technicianError = error;
    });

    let submittedMs = 0;
    let statuses: Record<string, number>;
    try {
      // Created on one runtime's API, started on the next one's.
      await inParallel(
        Array.from({ length: orderCount }, (_, n) => n),
        submitConcurrency,
        async (n) => {
          const { kind, items } = orderItems(n);
          const created = await post(runtimes[n % runtimeCount]!, '/api/v1/orders', { externalRef: `SCALE-${n}`, items });
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          const orderId = String(created.body['orderId']);
          const start = await post(runtimes[(n + 1) % runtimeCount]!, `/api/v1/orders/${orderId}/fulfillment/start`, {});
          expect(start.status, JSON.stringify(start.body)).toBe(202);
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        },
      );
      submitting = false;
      submittedMs = Date.now() - started;

      statuses = await until(
        `${orderCount} orders in an end state`,
        async () => {
          if (technicianError) throw technicianError;
          // An incident never resolves by itself: stop waiting at the first one.
          if (runtimes.some((runtime) => runtime.output().includes('raised an incident'))) throw new Error(`a job raised an incident; ${await whereThingsStand()}`);
          const rows = await pool.query<{ status: string; n: string }>('select status, count(*) as n from customer_order where tenant_id = $1 group by status', [tenantId]);
          const counts = Object.fromEntries(rows.rows.map((row) => [row.status, Number(row.n)]));
          const ended = endStates.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
          return ended === orderCount ? counts : undefined;
        },
        200_000,
        500,
      );
    } finally {
      stopped = true;
    }
    await technician;
    expect(technicianError).toBeUndefined();
    const completedMs = Date.now() - started;
    expect(statuses).toEqual({ COMPLETED: orderCount });
    const openTasks = await pool.query(`select 1 from fulfillment_task where tenant_id = $1 and status <> 'COMPLETED'`, [tenantId]);
    expect(openTasks.rowCount).toBe(0);

    // Every outbox event on Kafka, then a moment for a late second copy to arrive.
    const outbox = await until(
      'every outbox event published and delivered',
      async () => {
        const rows = await pool.query<{ event_id: string; published_at: Date | null }>('select event_id, published_at from outbox');
        return rows.rows.every((row) => row.published_at !== null && deliveries.has(row.event_id)) ? rows.rows.map((row) => row.event_id) : undefined;
      },
      30_000,
      500,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const outboxIds = new Set(outbox);
    const publishedTwice = outbox.filter((eventId) => deliveries.get(eventId)! > 1);
    const strangers = [...deliveries.keys()].filter((eventId) => !outboxIds.has(eventId));

    // Partner calls per idempotency key, at the one simulator every runtime used.
    const calls = switchboard.simulator.calls();
    const callsPerKey = new Map<string, number>();
    for (const call of calls) callsPerKey.set(`${call.system} ${call.idempotencyKey}`, (callsPerKey.get(`${call.system} ${call.idempotencyKey}`) ?? 0) + 1);
    const calledTwice = [...callsPerKey].filter(([, count]) => count > 1).map(([key]) => key);
    const attemptsTwice = await pool.query<{ fulfillment_task_id: string; n: string }>(
      'select fulfillment_task_id, count(*) as n from fulfillment_task_attempt where tenant_id = $1 group by fulfillment_task_id having count(*) > 1',
      [tenantId],
    );
    const startedTwice = await pool.query<{ entity_id: string; n: string }>(
      `select entity_id, count(*) as n from audit_log where tenant_id = $1 and entity_type = 'FulfillmentTask' and state_after = 'IN_PROGRESS' group by entity_id having count(*) > 1`,
      [tenantId],
    );
    const tasksInProgress = await pool.query<{ n: string }>(
      `select count(distinct entity_id) as n from audit_log where tenant_id = $1 and entity_type = 'FulfillmentTask' and state_after = 'IN_PROGRESS'`,
      [tenantId],
    );

    // Which runtime did the work: job answers on /metrics, the job keys of their logs.
    const outcomes = await Promise.all(runtimes.map(jobsByOutcome));
    const logKeys = runtimes.map(completedJobKeys);
    const allKeys = logKeys.flat();
    const jobsTwice = allKeys.length - new Set(allKeys).size;
    const callbacksTo = runtimes.map((_, index) => switchboard.callbacks.filter((callback) => callback.receiver === index).length);
    const crossed = switchboard.callbacks.filter((callback) => callback.caller !== undefined && callback.caller !== callback.receiver).length;

    const duplicated = publishedTwice.length + calledTwice.length + attemptsTwice.rowCount! + startedTwice.rowCount! + jobsTwice;
    const figures = {
      orders: orderCount,
      kinds: Object.fromEntries(kinds),
      submittedMs,
      completedMs,
      ordersPerSecond: Number((orderCount / (completedMs / 1000)).toFixed(2)),
      jobsCompletedPerRuntime: outcomes.map((outcome) => outcome['completed'] ?? 0),
      jobOutcomesPerRuntime: outcomes,
      partnerRequestsPerRuntime: switchboard.requestsBy,
      callbacksPerRuntime: callbacksTo,
      callbacksCrossingRuntimes: `${crossed} of ${switchboard.callbacks.length}`,
      // The simulator sends a callback again when the first try timed out (5 s) or failed; the inbox keeps it once.
      callbackRedeliveries: switchboard.callbacks.length - new Set(switchboard.callbacks.map((callback) => `${callback.system} ${callback.webhookId}`)).size,
      partnerCalls: calls.length,
      idempotencyKeys: callsPerKey.size,
      tasksStarted: Number(tasksInProgress.rows[0]!.n),
      outboxEvents: outbox.length,
      kafkaDeliveries: [...deliveries.values()].reduce((sum, count) => sum + count, 0),
      duplicates: { publishedTwice: publishedTwice.length, calledTwice: calledTwice.length, attemptsTwice: attemptsTwice.rowCount, startedTwice: startedTwice.rowCount, jobsTwice },
    };
    console.log(`three runtimes, one engine: ${JSON.stringify(figures)}`);
    reportFault({
      fault: 'three runtimes, one engine',
      orders: orderCount,
      completed: statuses['COMPLETED'] ?? 0,
      lost: orderCount - (statuses['COMPLETED'] ?? 0),
      duplicated,
      note: `${figures.jobsCompletedPerRuntime.join('/')} jobs per runtime, ${crossed} callbacks crossed runtimes`,
    });

    expect(publishedTwice).toEqual([]);
    expect(strangers).toEqual([]);
    expect(calledTwice).toEqual([]);
    expect(attemptsTwice.rows).toEqual([]);
    expect(startedTwice.rows).toEqual([]);
    expect(jobsTwice).toBe(0);
    // The logs are complete: every completion the metrics counted is in them.
    expect(logKeys.map((keys) => keys.length)).toEqual(figures.jobsCompletedPerRuntime);
    // Every callback answered a request another runtime made, and was accepted.
    expect(switchboard.callbacks.length).toBeGreaterThan(0);
    expect(crossed).toBe(switchboard.callbacks.length);
    expect(switchboard.callbacks.filter((callback) => callback.status === null || callback.status >= 300)).toEqual([]);
    // Each runtime took callbacks, answered jobs and made partner requests.
    for (let index = 0; index < runtimeCount; index += 1) {
      expect(callbacksTo[index], `callbacks delivered to runtime ${index}`).toBeGreaterThan(0);
      expect(figures.jobsCompletedPerRuntime[index], `jobs completed by runtime ${index}`).toBeGreaterThan(0);
      expect(switchboard.requestsBy[index], `partner requests of runtime ${index}`).toBeGreaterThan(0);
    }
  }, 330_000);
});
