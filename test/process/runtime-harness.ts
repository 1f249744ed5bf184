/**
 * Test harness of the end-to-end process tests: the real runtime (job workers, relays, partner
 * simulators, HTTP API with the signed callback route) on a database of its own, the local engine
 * on a manual clock, Kafka at KAFKA_BROKERS with a topic prefix of its own, and helpers that place
 * an order, play the technician and read what happened from the OMS tables.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { pino } from 'pino';
import { inject } from 'vitest';
import { ManualClock } from '../../local-engine/src/clock';
import { placeValidatedOrder, startFulfillment } from '../../connector-runtime/src/commands/start-fulfillment';
import { aggregateTypes } from '../../connector-runtime/src/commands/command-context';
import { loadConfig } from '../../connector-runtime/src/config';
import { kebabCase } from '../../connector-runtime/src/relays/outbox-relay';
import { sampleBundleOrder } from '../../connector-runtime/src/demo/sample-order';
import { confirmOnSite, TasklistTechnician } from '../../connector-runtime/src/engine/tasklist-client';
import type { Order } from '../../connector-runtime/src/domain/order';
import { startRuntime, type Runtime } from '../../connector-runtime/src/runtime';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** One event as Kafka delivered it. */
export interface DeliveredEvent {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  correlationId: string;
  offset: string;
  partition: number;
}

/** A running runtime for one test file. */
export interface RuntimeHarness {
  runtime: Runtime;
  clock: ManualClock;
  /** A bearer token of the order API for the harness tenant, with every role. */
  apiToken: string;
  /** A token of the harness tenant that may only read (role viewer). */
  viewerToken: string;
  /** A token of another tenant, with every role. */
  otherTenantToken: string;
  tenantId: string;
  topicPrefix: string;
  technician: TasklistTechnician;
  /** Places the sample bundle order and starts its fulfillment. */
  startSampleOrder(): Promise<{ order: Order; fulfillmentPlanId: string }>;
  orderStatus(orderId: string): Promise<string>;
  taskStatuses(orderId: string): Promise<{ id: string; sequence: number; taskType: string; status: string }[]>;
  /** Waits until `probe` returns a value, or fails with what it last saw. */
  until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Completes every open user task of the order's process instance with the on-site confirmation. */
  confirmOpenUserTasks(orderId: string): Promise<number>;
  processInstanceKey(orderId: string): Promise<string | undefined>;
  /** Every Kafka event of the harness's topics received so far. */
  delivered: DeliveredEvent[];
  close(): Promise<void>;
}

/** Starts the runtime with simulators calling back quickly. */
export async function startRuntimeHarness(prefix: string): Promise<RuntimeHarness> {
  const db: TestDatabase = await createTestDatabase(prefix);
  const clock = new ManualClock(Date.now());
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const topicPrefix = `e2e-${randomUUID().slice(0, 8)}.`;
  const apiToken = `e2e_${randomUUID().replace(/-/g, '')}`;
  const viewerToken = `e2e_${randomUUID().replace(/-/g, '')}`;
  const otherTenantToken = `e2e_${randomUUID().replace(/-/g, '')}`;
  const brokers = inject('kafkaBrokers');
  const config = loadConfig({
    DATABASE_URL: db.url,
    HTTP_PORT: '0',
    LOCAL_ENGINE_GRPC_PORT: '0',
    LOCAL_ENGINE_REST_PORT: '0',
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    SIMULATOR_TENANT: tenantId,
    SIMULATOR_CALLBACK_DELAY_MS: '20',
    API_TOKENS: JSON.stringify({
      [apiToken]: { tenantId, subject: 'e2e', roles: ['viewer', 'operator', 'technician', 'integration'] },
      [viewerToken]: { tenantId, subject: 'e2e-viewer', roles: ['viewer'] },
      [otherTenantToken]: { tenantId: `${tenantId}-other`, subject: 'e2e-other', roles: ['viewer', 'operator', 'technician', 'integration'] },
    }),
    LOG_LEVEL: 'silent',
  });
  const runtime = await startRuntime(config, pino({ level: process.env['E2E_LOG_LEVEL'] ?? 'silent' }), { engineClock: clock });
  const technician = new TasklistTechnician(runtime.camunda.restAddress!);

  const delivered: DeliveredEvent[] = [];
  const kafka = new Kafka({ clientId: `e2e-${prefix}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  // One topic per aggregate type (docs/architecture.md §6), created up front: a consumer subscribes to topics that exist.
  const topics = Object.values(aggregateTypes).map((type) => `${topicPrefix}${kebabCase(type)}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  await admin.disconnect();
  const consumer: Consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const header = (name: string) => message.headers?.[name]?.toString() ?? '';
      delivered.push({ topic, key: message.key?.toString() ?? '', eventId: header('eventId'), eventType: header('eventType'), correlationId: header('correlationId'), offset: message.offset, partition });
    },
  });

  const harness: RuntimeHarness = {
    runtime,
    clock,
    apiToken,
    viewerToken,
    otherTenantToken,
    tenantId,
    topicPrefix,
    technician,
    delivered,
    async startSampleOrder() {
      const order = sampleBundleOrder(tenantId);
      await placeValidatedOrder(runtime.pool, order, { actor: 'test' });
      const started = await startFulfillment(runtime.pool, { tenantId, orderId: order.orderId, actor: 'test' });
      return { order, fulfillmentPlanId: started.fulfillmentPlanId };
    },
    async orderStatus(orderId) {
      return (await runtime.pool.query<{ status: string }>('select status from customer_order where tenant_id = $1 and id = $2', [tenantId, orderId])).rows[0]!.status;
    },
    async taskStatuses(orderId) {
      const rows = await runtime.pool.query<{ id: string; sequence: number; task_type: string; status: string }>(
        'select id, sequence, task_type, status from fulfillment_task where tenant_id = $1 and order_id = $2 order by sequence',
        [tenantId, orderId],
      );
      return rows.rows.map((row) => ({ id: row.id, sequence: row.sequence, taskType: row.task_type, status: row.status }));
    },
    async until(what, probe, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async processInstanceKey(orderId) {
      return (await runtime.pool.query<{ process_instance_key: string }>('select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2', [tenantId, orderId])).rows[0]
        ?.process_instance_key;
    },
    async confirmOpenUserTasks(orderId) {
      const key = await harness.processInstanceKey(orderId);
      if (!key) return 0;
      // Only the manual fulfillment tasks; a repair decision is the test's to take.
      const open = (await technician.openTasks(key)).filter((task) => /_Manual_/.test(task.elementId));
      for (const task of open) await technician.complete(task.userTaskKey, confirmOnSite);
      return open.length;
    },
    async close() {
      await consumer.disconnect().catch(() => undefined);
      await runtime.stop();
      await db.drop();
    },
  };
  return harness;
}

/** Drives an order to an end state, confirming the on-site installation when its user task opens. */
export async function driveToEnd(harness: RuntimeHarness, orderId: string, endStates: readonly string[] = ['COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'], timeoutMs = 60_000): Promise<string> {
  return harness.until(
    `order ${orderId} to reach an end state`,
    async () => {
      await harness.confirmOpenUserTasks(orderId);
      const status = await harness.orderStatus(orderId);
      return endStates.includes(status) ? status : undefined;
    },
    timeoutMs,
  );
}
