/**
 * Fault: the outbox relay's process dies after a batch reached Kafka and before the rows were marked
 * published (FAULT_POINTS outbox.after-send kill). Delivery is at least once (relays/outbox-relay.ts):
 * the restarted runtime sends that batch again, so consumers see some event ids twice; a consumer
 * that drops an event id it has handled ends with exactly the outbox's events, each once.
 *
 * Given a separate engine and a runtime whose relay dies at its third published batch,
 * when orders are placed through the API (clients retrying with their Idempotency-Key while the
 * runtime is down) and the runtime is started again without the fault,
 * then every order completes, at least one event id is on Kafka twice, and deduplicating by event
 * id gives the outbox's event ids exactly.
 */
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { killAllProcesses, startEngineProcess } from '../helpers/runtime-process';
import { deduplicatingConsumer, duplicateDeliveries, readPublishedEvents, type ReceivedEvent } from './fault-b-kafka';
import { faultTenant, placeOrders, waitFor, waitForEndStates } from './fault-b-orders';
import { restartableRuntime } from './fault-b-stack';
import { reportFault } from './fault-report';

const orderCount = 10;
let db: TestDatabase | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  await killAllProcesses();
  for (const cleanup of cleanups) await cleanup();
  await db?.drop();
});

describe('fault: the outbox relay killed between send and mark', () => {
  it('given a relay killed after a send, when restarted without the fault, then consumers get a duplicate delivery and deduplication by event id yields exactly the outbox', async () => {
    const started = Date.now();
    db = await createTestDatabase('fault_outbox_kill');
    const engine = await startEngineProcess({ databaseUrl: db.url });
    const tenant = faultTenant();
    const kafkaBrokers = inject('kafkaBrokers');
    const runtime = await restartableRuntime({ databaseUrl: db.url, engine, kafkaBrokers, tenant });
    cleanups.push(() => runtime.partners.close());
    const first = await runtime.start({ FAULT_POINTS: JSON.stringify({ 'outbox.after-send': { action: 'kill', skip: 2 } }) });
    // As soon as the fault has killed it, the runtime comes back without the fault, as a supervisor would start it.
    const restarted = first.exited.then(() => runtime.start());

    const placed = await placeOrders({ baseUrl: () => runtime.httpUrl, token: tenant.token, count: orderCount, timeoutMs: 600_000 });
    const exit = await waitFor('the fault to kill the first runtime', async () => (first.output().includes('fault point outbox.after-send: killing') ? first.exited : undefined), 300_000);
    expect(exit.signal).toBe('SIGKILL');
    await restarted;

    const statuses = await waitForEndStates(db.url, tenant.tenantId, placed.orderIds, 600_000);
    const completed = [...statuses.values()].filter((status) => status === 'COMPLETED').length;

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let outboxIds: string[];
    try {
      await waitFor('the outbox to drain', async () => ((await client.query('select 1 from outbox where published_at is null limit 1')).rowCount === 0 ? true : undefined), 300_000);
      outboxIds = (await client.query<{ event_id: string }>('select event_id from outbox')).rows.map((row) => row.event_id);
    } finally {
      await client.end();
    }

    const received = await readPublishedEvents(kafkaBrokers, runtime.topicPrefix);
    const duplicates = duplicateDeliveries(received);
    const extraDeliveries = [...duplicates.values()].reduce((sum, extra) => sum + extra, 0);
    // The consumer side: handle each event id once, drop a delivery of an id already handled.
    const handled: ReceivedEvent[] = [];
    const consumer = deduplicatingConsumer<ReceivedEvent>((event) => handled.push(event));
    for (const event of received) consumer.deliver(event);
    const handledIds = handled.map((event) => event.eventId);
    const lost = outboxIds.filter((id) => !new Set(handledIds).has(id)).length;

    reportFault({
      fault: 'outbox relay killed after send, before mark (restart without fault)',
      orders: placed.orderIds.length,
      completed,
      lost,
      duplicated: extraDeliveries,
      note: `${received.length} deliveries of ${outboxIds.length} events: ${duplicates.size} event ids delivered twice, ${consumer.dropped()} deliveries dropped by the eventId dedup, ${placed.retries} client retries; ${Math.round((Date.now() - started) / 1000)} s`,
    });

    expect(completed).toBe(orderCount);
    expect(duplicates.size).toBeGreaterThanOrEqual(1);
    expect(consumer.dropped()).toBe(extraDeliveries);
    expect(handledIds).toHaveLength(outboxIds.length);
    expect(new Set(handledIds)).toEqual(new Set(outboxIds));
    expect(lost).toBe(0);
    // No event on the topics that the outbox does not hold (a stray or invented id).
    expect(received.every((event) => outboxIds.includes(event.eventId))).toBe(true);
  }, 1_500_000);
});
