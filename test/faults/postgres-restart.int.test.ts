/**
 * Fault: the OMS database (PostgreSQL, the order truth) restarts while 200 orders run. The runtime's
 * transactions fail with transient errors during the outage (jobs retried with back-off, relay
 * rounds backed off, API answers 5xx that clients retry with the same Idempotency-Key), and pick up
 * again once the server is back. The engine runs as a process of its own with its state elsewhere,
 * as Zeebe would: only the OMS database goes away.
 *
 * Given a runtime on a PostgreSQL of the test's own and 200 orders placed through the API,
 * when that PostgreSQL is stopped mid-run for a few seconds and started again,
 * then all 200 orders complete, none is lost, no effect happens twice, and Kafka holds every
 * outbox event exactly once (no duplicate event id).
 */
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { killAllProcesses, startEngineProcess } from '../helpers/runtime-process';
import { duplicateDeliveries, readPublishedEvents } from './fault-b-kafka';
import { duplicatedEffects, faultTenant, orderStatusCounts, placeOrders, waitFor, waitForEndStates } from './fault-b-orders';
import { ownPostgres, type OwnPostgres } from './fault-b-postgres';
import { restartableRuntime } from './fault-b-stack';
import { reportFault } from './fault-report';

const orderCount = 200;
/** How long the database stays down: a restart, as an operator or a failover does it. */
const outageMs = 5_000;
let engineDb: TestDatabase | undefined;
let omsDb: OwnPostgres | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await killAllProcesses();
  for (const cleanup of cleanups) await cleanup();
  await omsDb?.remove();
  await engineDb?.drop();
});

describe('fault: PostgreSQL restarted while orders run', () => {
  it('given 200 orders running, when the OMS PostgreSQL restarts, then all complete, none lost, no duplicate event id on Kafka', async () => {
    const started = Date.now();
    omsDb = await ownPostgres();
    engineDb = await createTestDatabase('fault_pg_engine');
    const engine = await startEngineProcess({ databaseUrl: engineDb.url });
    const tenant = faultTenant();
    const kafkaBrokers = inject('kafkaBrokers');
    const runtime = await restartableRuntime({ databaseUrl: omsDb.url, engine, kafkaBrokers, tenant });
    cleanups.push(() => runtime.partners.close());
    const first = await runtime.start();
    // The runtime must ride the outage out: its death fails the test at once, with what it printed.
    const died = first.exited.then(({ code, signal }) => {
      throw new Error(`the runtime exited (${signal ?? code}) during the PostgreSQL restart; it printed:\n${first.output().slice(-6000)}`);
    });
    died.catch(() => undefined);
    const alive = <T>(work: Promise<T>): Promise<T> => Promise.race([work, died]);

    const placing = placeOrders({ baseUrl: () => runtime.httpUrl, token: tenant.token, count: orderCount, concurrency: 4, timeoutMs: 900_000 });
    placing.catch(() => undefined);
    // Mid-run: orders completed, others still being placed or worked on.
    const atRestart = await waitFor(
      'some orders to complete',
      async () => {
        const counts = await orderStatusCounts(omsDb!.url, tenant.tenantId);
        const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
        return (counts['COMPLETED'] ?? 0) >= 10 ? { completed: counts['COMPLETED'] ?? 0, placed: total } : undefined;
      },
      600_000,
      200,
    );
    const stoppedAt = Date.now();
    await omsDb.stop();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    await omsDb.start();
    const downMs = Date.now() - stoppedAt;

    const placed = await alive(placing);
    const statuses = await alive(waitForEndStates(omsDb.url, tenant.tenantId, placed.orderIds, 1_200_000));
    const completed = [...statuses.values()].filter((status) => status === 'COMPLETED').length;
    const client = new pg.Client({ connectionString: omsDb.url });
    await client.connect();
    let outboxIds: string[];
    let orderRows: number;
    try {
      await waitFor('the outbox to drain', async () => ((await client.query('select 1 from outbox where published_at is null limit 1')).rowCount === 0 ? true : undefined), 600_000);
      outboxIds = (await client.query<{ event_id: string }>('select event_id from outbox')).rows.map((row) => row.event_id);
      orderRows = (await client.query<{ n: number }>('select count(*)::int as n from customer_order where tenant_id = $1', [tenant.tenantId])).rows[0]!.n;
    } finally {
      await client.end();
    }
    const received = await readPublishedEvents(kafkaBrokers, runtime.topicPrefix);
    const duplicates = duplicateDeliveries(received);
    const receivedIds = new Set(received.map((event) => event.eventId));
    const lostEvents = outboxIds.filter((id) => !receivedIds.has(id)).length;
    const effects = await duplicatedEffects(omsDb.url, tenant.tenantId);
    const restarts = (runtime.output().match(/fulfillment runtime ready on/g) ?? []).length - 1;

    reportFault({
      fault: `OMS PostgreSQL restarted mid-run (${(downMs / 1000).toFixed(1)} s down)`,
      orders: placed.orderIds.length,
      completed,
      lost: placed.orderIds.length - completed + lostEvents,
      duplicated: effects.total + duplicates.size,
      note: `restarted with ${atRestart.completed} done of ${atRestart.placed} placed; ${outboxIds.length} events, ${received.length} on Kafka, ${duplicates.size} duplicate ids, ${lostEvents} missing; ${placed.retries} client retries, ${placed.abandonedKeys} idempotency keys stuck IN_PROGRESS (new key used, ${placed.foundByExternalRef} orders found by externalRef); runtime restarts ${restarts}; ${Math.round((Date.now() - started) / 1000)} s`,
    });

    expect(placed.orderIds).toHaveLength(orderCount);
    // No order placed twice by a retried request.
    expect(orderRows).toBe(orderCount);
    expect(completed).toBe(orderCount);
    expect(effects).toEqual({ tasks: 0, assetVersions: 0, completionEvents: 0, total: 0 });
    expect(lostEvents).toBe(0);
    expect([...duplicates.keys()]).toEqual([]);
    expect(received).toHaveLength(outboxIds.length);
    // The runtime rode the outage out: it was not restarted, and did not die.
    expect(restarts).toBe(0);
    expect(await Promise.race([runtime.current().exited.then(() => 'exited'), Promise.resolve('running')])).toBe('running');
  }, 2_400_000);
});
