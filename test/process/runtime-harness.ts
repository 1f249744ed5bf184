/**
 * Test harness of the end-to-end process tests: the real runtime (job workers, relays, partner
 * simulators, HTTP API with the signed callback route) on a database of its own, the local engine
 * on a manual clock, Kafka at KAFKA_BROKERS with a topic prefix of its own, and helpers that place
 * an order, play the technician and read what happened from the OMS tables.
 *
 * The test database also carries a write trace (test-only triggers, {@link installWriteTrace}): the
 * transaction id of every write to customer_order, audit_log and outbox, so a test can prove that
 * rows were written in one transaction even after a later update (the outbox relay marking an event
 * published) replaced the row's `xmin`.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { ManualClock } from '../../local-engine/src/clock';
import { placeValidatedOrder, startFulfillment } from '../../connector-runtime/src/commands/start-fulfillment';
import { consumeFulfillmentEvents, type ConsumedEvent } from '../helpers/event-consumer';
import { loadConfig } from '../../connector-runtime/src/config';
import { sampleBundleOrder } from '../../connector-runtime/src/demo/sample-order';
import { confirmOnSite, TasklistTechnician } from '../../connector-runtime/src/engine/tasklist-client';
import { parseOrder, type Order } from '../../connector-runtime/src/domain/order';
import { startRuntime, type Runtime } from '../../connector-runtime/src/runtime';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** One event as Kafka delivered it. */
export type DeliveredEvent = ConsumedEvent;

/** One item of an order the harness places; ids are the test's to choose (use `randomUUID()`). */
export interface OrderItemInput {
  orderItemId: string;
  parentItemId?: string;
  action: 'ADD' | 'MODIFY' | 'DISCONNECT' | 'MOVE';
  productType: string;
  productCode: string;
  quantity?: number;
  attributes?: Record<string, unknown>;
}

/**
 * Test-only triggers on the harness database: every insert or update of customer_order, audit_log
 * and outbox is recorded with its transaction id (`txid_current()`), its row key and, where the
 * table has one, the row's status. Installed after the runtime migrated the schema.
 */
export async function installWriteTrace(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table if not exists test_write_trace (
      id bigint generated always as identity primary key,
      table_name text not null,
      operation text not null,
      row_key text not null,
      status text,
      txid bigint not null default txid_current()
    );
    create or replace function test_write_trace_row() returns trigger language plpgsql as $$
    begin
      insert into test_write_trace (table_name, operation, row_key, status)
      values (tg_table_name, tg_op, to_jsonb(new) ->> tg_argv[0], to_jsonb(new) ->> 'status');
      return new;
    end $$;
    create or replace trigger test_write_trace after insert or update on customer_order for each row execute function test_write_trace_row('id');
    create or replace trigger test_write_trace after insert on audit_log for each row execute function test_write_trace_row('id');
    create or replace trigger test_write_trace after insert on outbox for each row execute function test_write_trace_row('event_id');
  `);
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
  /** Places a validated order of these items (fresh order id, version 1) and starts its fulfillment. */
  startOrder(items: readonly OrderItemInput[]): Promise<{ order: Order; fulfillmentPlanId: string }>;
  /** Calls the engine's REST API (v2) and returns the parsed answer. */
  engineRest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
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
  await installWriteTrace(runtime.pool);
  const technician = new TasklistTechnician(runtime.camunda.restAddress!);

  const delivered: DeliveredEvent[] = [];
  const disconnectConsumer = await consumeFulfillmentEvents({ clientId: `e2e-${prefix}`, brokers, topicPrefix }, (event) => delivered.push(event));

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
    async startOrder(items) {
      const order = parseOrder({ tenantId, orderId: randomUUID(), orderVersion: 1, completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE', items });
      await placeValidatedOrder(runtime.pool, order, { actor: 'test' });
      const started = await startFulfillment(runtime.pool, { tenantId, orderId: order.orderId, actor: 'test' });
      return { order, fulfillmentPlanId: started.fulfillmentPlanId };
    },
    async engineRest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${runtime.camunda.restAddress}/v2${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`engine ${method} ${path} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
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
      await disconnectConsumer().catch(() => undefined);
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
