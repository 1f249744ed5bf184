import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { loadConfig } from './config';
import { fulfillmentMetricNames } from './observability/metrics';
import { startRuntime } from './runtime';

const silent = pino({ level: 'silent' });
// The local engine on free ports, so test files can run side by side.
const localEngine = { LOCAL_ENGINE_GRPC_PORT: '0', LOCAL_ENGINE_REST_PORT: '0' };
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('startRuntime', () => {
  it('given DATABASE_URL, migrates it and serves a ready API', async () => {
    const db: TestDatabase = await createTestDatabase('runtime');
    cleanups.push(() => db.drop());
    const runtime = await startRuntime(loadConfig({ DATABASE_URL: db.url, HTTP_PORT: '0', ...localEngine }), silent);
    cleanups.push(() => runtime.stop());

    const ready = await fetch(`${runtime.httpUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'UP',
      checks: [
        { name: 'database', status: 'UP' },
        { name: 'camunda', status: 'UP' },
        { name: 'workers', status: 'UP' },
      ],
    });
    const metrics = await (await fetch(`${runtime.httpUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');
    for (const name of fulfillmentMetricNames) expect(metrics).toContain(`# TYPE ${name} `);
  });

  it('given no DATABASE_URL, runs an embedded PostgreSQL that keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fp-embedded-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const config = loadConfig({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: port, HTTP_PORT: '0', ...localEngine });

    const first = await startRuntime(config, silent);
    expect(first.databaseUrl).toContain(`127.0.0.1:${port}`);
    expect((await fetch(`${first.httpUrl}/ready`)).status).toBe(200);
    await first.stop();

    // A second start reuses the initialised data folder and finds the migrations applied.
    const second = await startRuntime(config, silent);
    cleanups.push(() => second.stop());
    expect((await fetch(`${second.httpUrl}/ready`)).status).toBe(200);
  }, 120_000);

  it('given no ZEEBE_GRPC_ADDRESS, runs the local engine with the model and forms deployed, and a restart deploys no new version', async () => {
    const db: TestDatabase = await createTestDatabase('runtime_engine');
    cleanups.push(() => db.drop());
    const config = loadConfig({ DATABASE_URL: db.url, HTTP_PORT: '0', ...localEngine });
    const first = await startRuntime(config, silent);
    expect(first.camunda.local).toBe(true);
    const started = await first.camunda.zeebe.createProcessInstance({
      bpmnProcessId: 'order-fulfillment-v1',
      variables: { tenantId: 'tenant-a', orderId: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9001', fulfillmentPlanId: '000000b1-0000-4000-8000-000000000001' },
    });
    expect(started.version).toBe(1);
    await first.stop();

    const second = await startRuntime(config, silent);
    cleanups.push(() => second.stop());
    // The instance survived the restart (cancelling an unknown instance is NOT_FOUND) ...
    await expect(second.camunda.zeebe.cancelProcessInstance(started.processInstanceKey)).resolves.toBeDefined();
    // ... and the unchanged model kept version 1.
    const again = await second.camunda.zeebe.createProcessInstance({ bpmnProcessId: 'order-fulfillment-v1', variables: {} });
    expect(again.version).toBe(1);
    expect(again.processDefinitionKey).toBe(started.processDefinitionKey);
  });

  it('given ZEEBE_GRPC_ADDRESS of an unreachable gateway and DEPLOY_RESOURCES=false, starts but reports camunda DOWN', async () => {
    const db: TestDatabase = await createTestDatabase('runtime_remote');
    cleanups.push(() => db.drop());
    const config = loadConfig({ DATABASE_URL: db.url, HTTP_PORT: '0', ZEEBE_GRPC_ADDRESS: 'grpc://127.0.0.1:1', DEPLOY_RESOURCES: 'false' });
    const runtime = await startRuntime(config, silent);
    cleanups.push(() => runtime.stop());
    expect(runtime.camunda.local).toBe(false);
    const ready = await fetch(`${runtime.httpUrl}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'DOWN',
      checks: [
        { name: 'database', status: 'UP' },
        { name: 'camunda', status: 'DOWN' },
        { name: 'workers', status: 'DOWN', reason: expect.stringContaining('not streaming jobs yet') },
      ],
    });
  }, 60_000);

  it('given KAFKA_BROKERS, relays an event committed to the outbox to Kafka', async () => {
    const db: TestDatabase = await createTestDatabase('runtime_kafka');
    cleanups.push(() => db.drop());
    const config = loadConfig({
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      ...localEngine,
      KAFKA_BROKERS: inject('kafkaBrokers'),
      KAFKA_TOPIC_PREFIX: `runtime-${randomUUID().slice(0, 8)}.`,
      DEPLOY_RESOURCES: 'false',
    });
    const runtime = await startRuntime(config, silent);
    cleanups.push(() => runtime.stop());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const eventId = randomUUID();
      await client.query(
        `insert into outbox (event_id, event_type, aggregate_type, aggregate_id, tenant_id, correlation_id, payload, headers)
         values ($1, 'OrderFulfillmentRequested', 'Order', $2, 'tenant-a', 'corr-1', '{}', '{}')`,
        [eventId, randomUUID()],
      );
      let publishedAt: Date | null = null;
      for (let tries = 0; tries < 100 && publishedAt === null; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        publishedAt = (await client.query('select published_at from outbox where event_id = $1', [eventId])).rows[0].published_at;
      }
      expect(publishedAt).not.toBeNull();
    } finally {
      await client.end();
    }
  }, 60_000);
});
