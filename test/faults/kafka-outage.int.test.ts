/**
 * Fault: the Kafka broker is down for a minute while orders complete. Orders do not depend on
 * Kafka (their events are committed to the outbox with the state change); the relay's rounds fail
 * and back off, the unpublished rows pile up in the outbox with the attempt and the error, and once
 * the broker is back the relay drains the backlog and every event arrives.
 *
 * Given a runtime publishing to a broker of the test's own (scripts/kafka.mjs, KAFKA_STATE_DIR),
 * when the broker is stopped for at least 60 s while orders run, and started again,
 * then the orders complete, the outbox backlog grows during the outage and drains afterwards, and
 * every outbox event is on Kafka.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { killAllProcesses, startEngineProcess } from '../helpers/runtime-process';
import { duplicateDeliveries, ownKafkaBroker, readPublishedEvents, type OwnKafkaBroker } from './fault-b-kafka';
import { duplicatedEffects, faultTenant, placeOrders, waitFor, waitForEndStates } from './fault-b-orders';
import { restartableRuntime } from './fault-b-stack';
import { reportFault } from './fault-report';

const orderCount = 20;
/** The broker stays down at least this long, and until every order has reached its end state. */
const outageMs = 60_000;
let db: TestDatabase | undefined;
let broker: OwnKafkaBroker | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await killAllProcesses();
  for (const cleanup of cleanups) await cleanup();
  await broker?.remove();
  await db?.drop();
});

interface Backlog {
  unpublished: number;
  failedRows: number;
  lastError: string | null;
}

async function backlog(client: pg.Client): Promise<Backlog> {
  const row = (
    await client.query<{ unpublished: number; failed_rows: number; last_error: string | null }>(
      `select count(*) filter (where published_at is null)::int as unpublished,
              count(*) filter (where published_at is null and attempts > 0)::int as failed_rows,
              max(last_error) filter (where published_at is null) as last_error
         from outbox`,
    )
  ).rows[0]!;
  return { unpublished: row.unpublished, failedRows: row.failed_rows, lastError: row.last_error };
}

describe('fault: Kafka down for a minute', () => {
  it('given orders running, when the broker is stopped for 60 s and started again, then the outbox backlog drains and every event arrives', async () => {
    const started = Date.now();
    broker = await ownKafkaBroker();
    await broker.start();
    db = await createTestDatabase('fault_kafka_outage');
    const engine = await startEngineProcess({ databaseUrl: db.url });
    const tenant = faultTenant(500);
    const runtime = await restartableRuntime({ databaseUrl: db.url, engine, kafkaBrokers: broker.address, tenant });
    cleanups.push(() => runtime.partners.close());
    await runtime.start();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    cleanups.push(() => client.end());

    const placing = placeOrders({ baseUrl: () => runtime.httpUrl, token: tenant.token, count: orderCount, timeoutMs: 600_000 });
    // The relay publishes before the outage: the broker and the topics work.
    const publishedBefore = await waitFor(
      'the first events on Kafka',
      async () => {
        const n = (await client.query<{ n: number }>('select count(*)::int as n from outbox where published_at is not null')).rows[0]!.n;
        return n > 0 ? n : undefined;
      },
      300_000,
      200,
    );
    await broker.stop();
    const stoppedAt = Date.now();

    const placed = await placing;
    const statuses = await waitForEndStates(db.url, tenant.tenantId, placed.orderIds, 900_000);
    const completed = [...statuses.values()].filter((status) => status === 'COMPLETED').length;
    const endedDuringOutageMs = Date.now() - stoppedAt;
    // The rest of the minute: the one deliberate wait, the outage itself.
    if (endedDuringOutageMs < outageMs) await new Promise((resolve) => setTimeout(resolve, outageMs - endedDuringOutageMs));
    const duringOutage = await backlog(client);
    await broker.start();
    const downMs = Date.now() - stoppedAt;
    const restartedAt = Date.now();

    await waitFor(
      'the outbox backlog to drain',
      async () => {
        const now = await backlog(client);
        return now.unpublished === 0 ? now : undefined;
      },
      600_000,
      500,
    );
    const drainMs = Date.now() - restartedAt;
    const outboxIds = (await client.query<{ event_id: string }>('select event_id from outbox')).rows.map((row) => row.event_id);
    const received = await readPublishedEvents(broker.address, runtime.topicPrefix);
    const receivedIds = new Set(received.map((event) => event.eventId));
    const lostEvents = outboxIds.filter((id) => !receivedIds.has(id)).length;
    const duplicates = duplicateDeliveries(received);
    const effects = await duplicatedEffects(db.url, tenant.tenantId);

    reportFault({
      fault: `Kafka stopped ${Math.round(downMs / 1000)} s while orders run`,
      orders: placed.orderIds.length,
      completed,
      lost: placed.orderIds.length - completed + lostEvents,
      duplicated: effects.total + duplicates.size,
      note: `${publishedBefore} events out before the stop; orders all ended ${Math.round(endedDuringOutageMs / 1000)} s into the outage; backlog ${duringOutage.unpublished} unpublished (${duringOutage.failedRows} with failed attempts) drained ${Math.round(drainMs / 1000)} s after restart; ${outboxIds.length} events, ${received.length} on Kafka, ${lostEvents} missing, ${duplicates.size} duplicate ids; ${Math.round((Date.now() - started) / 1000)} s`,
    });

    expect(completed).toBe(orderCount);
    // The outage was visible in the outbox: events waited, with the failed attempts recorded.
    expect(duringOutage.unpublished).toBeGreaterThan(0);
    expect(duringOutage.failedRows).toBeGreaterThan(0);
    expect(duringOutage.lastError).not.toBeNull();
    expect(effects).toEqual({ tasks: 0, assetVersions: 0, completionEvents: 0, total: 0 });
    expect(lostEvents).toBe(0);
    expect(receivedIds).toEqual(new Set(outboxIds));
  }, 2_400_000);
});
