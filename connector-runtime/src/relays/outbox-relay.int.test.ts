/**
 * The outbox relay against the real PostgreSQL and the project's Kafka broker: events leave after
 * their transaction commits, keyed by aggregate with the docs/architecture.md §6 headers, once each, and a failed
 * round keeps them for the next.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withTransaction } from '../store/database';
import { openStoreTestDatabase, uniqueTenantId } from '../store/fixtures/store-test-database';
import type { StoreTestDatabase } from '../store/fixtures/store-test-database';
import { enqueueEvent, listUnpublishedEvents } from '../store/outbox';
import type { OutboxEvent } from '../store/outbox';
import { connectKafkaEventSink, type KafkaEventSink } from './kafka-event-sink';
import { kebabCase, OutboxRelay, type EventSink, type TopicBatch } from './outbox-relay';

const silent = pino({ level: 'silent' });
let db: StoreTestDatabase;
let kafkaSink: KafkaEventSink;
const brokers = inject('kafkaBrokers').split(',');
// Topics of this run only, so earlier runs' messages on the shared broker do not interfere.
const prefix = `test-${randomUUID().slice(0, 8)}.`;
const topicFor = (aggregateType: string) => `${prefix}${kebabCase(aggregateType)}`;

beforeAll(async () => {
  db = await openStoreTestDatabase('relay_outbox');
  kafkaSink = await connectKafkaEventSink({ brokers, clientId: 'relay-test', log: silent });
});

afterAll(async () => {
  await kafkaSink?.close();
  await db?.close();
});

function event(tenantId: string, aggregateType: string, aggregateId: string, sequence: number): OutboxEvent {
  return {
    eventId: randomUUID(),
    eventType: aggregateType === 'Order' ? 'OrderFulfillmentCompleted' : 'FulfillmentTaskCompleted',
    eventVersion: 1,
    occurredAt: new Date(Date.UTC(2026, 6, 2, 5, 0, sequence)).toISOString(),
    tenantId,
    correlationId: `corr-${sequence}`,
    aggregateType,
    aggregateId,
    payload: { sequence, status: 'COMPLETED' },
  };
}

async function enqueue(events: OutboxEvent[]): Promise<void> {
  await withTransaction(db.pool, async (tx) => {
    for (const each of events) await enqueueEvent(tx, each);
  });
}

/** Reads `count` messages of the topics from the beginning. */
async function consume(topics: string[], count: number): Promise<Array<{ topic: string; key: string; value: Record<string, unknown>; headers: Record<string, string> }>> {
  const kafka = new Kafka({ clientId: 'relay-test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `relay-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const received: Array<{ topic: string; key: string; value: Record<string, unknown>; headers: Record<string, string> }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count} messages`)), 30_000);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, raw]) => [name, String(raw)]));
          received.push({ topic, key: String(message.key), value: JSON.parse(String(message.value)) as Record<string, unknown>, headers });
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** `promise`'s value, or a rejection if it takes longer than `ms`: a relay round must not wait on another's locks. */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('OutboxRelay', () => {
  it('given committed events of two aggregate types, when a round runs, then each reaches its topic once, keyed by aggregate with the event headers, in order per key', async () => {
    const tenantId = uniqueTenantId();
    const task = randomUUID();
    const order = randomUUID();
    const events = [event(tenantId, 'FulfillmentTask', task, 1), event(tenantId, 'Order', order, 2), event(tenantId, 'FulfillmentTask', task, 3)];
    await enqueue(events);
    const relay = new OutboxRelay({ pool: db.pool, sink: kafkaSink, log: silent, topicFor });

    expect(await relay.runOnce()).toBe(3);
    expect(await relay.runOnce()).toBe(0);
    expect(await listUnpublishedEvents(db.pool, { tenantId })).toEqual([]);

    const received = await consume([topicFor('FulfillmentTask'), topicFor('Order')], 3);
    const taskMessages = received.filter((message) => message.topic === `${prefix}fulfillment-task`);
    expect(taskMessages.map((message) => message.value['eventId'])).toEqual([events[0]!.eventId, events[2]!.eventId]);
    expect(taskMessages.every((message) => message.key === task)).toBe(true);
    const orderMessage = received.find((message) => message.topic === `${prefix}order`)!;
    expect(orderMessage.key).toBe(order);
    expect(orderMessage.headers).toEqual({ eventId: events[1]!.eventId, eventType: 'OrderFulfillmentCompleted', tenantId, correlationId: 'corr-2' });
    expect(orderMessage.value).toEqual({ ...events[1], occurredAt: events[1]!.occurredAt });
  });

  it('given an event whose transaction has not committed, when a round runs, then it is not published until the commit', async () => {
    const tenantId = uniqueTenantId();
    const sent: TopicBatch[] = [];
    const recording: EventSink = { send: async (batches) => void sent.push(...batches) };
    const relay = new OutboxRelay({ pool: db.pool, sink: recording, log: silent, topicFor });
    const pending = event(tenantId, 'FulfillmentTask', randomUUID(), 1);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await enqueueEvent(client, pending);
      expect(await relay.runOnce()).toBe(0);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await relay.runOnce()).toBe(1);
    expect(sent.flatMap((batch) => batch.messages.map((message) => message.headers['eventId']))).toEqual([pending.eventId]);
  });

  it('given Kafka refuses a round, then the events stay unpublished with the attempt and error recorded, and the next round sends them', async () => {
    const tenantId = uniqueTenantId();
    const events = [event(tenantId, 'FulfillmentTask', randomUUID(), 1), event(tenantId, 'FulfillmentTask', randomUUID(), 2)];
    await enqueue(events);
    let down = true;
    const sent: string[] = [];
    const flaky: EventSink = {
      async send(batches) {
        if (down) throw new Error('broker not available');
        for (const batch of batches) sent.push(...batch.messages.map((message) => message.headers['eventId']!));
      },
    };
    const relay = new OutboxRelay({ pool: db.pool, sink: flaky, log: silent, topicFor });

    await expect(relay.runOnce()).rejects.toThrow('broker not available');
    const stored = await db.pool.query('select attempts, last_error, published_at from outbox where tenant_id = $1 order by occurred_at', [tenantId]);
    expect(stored.rows).toEqual([
      { attempts: 1, last_error: 'broker not available', published_at: null },
      { attempts: 1, last_error: 'broker not available', published_at: null },
    ]);

    down = false;
    expect(await relay.runOnce()).toBe(2);
    expect(sent).toEqual(events.map((each) => each.eventId));
    const after = await db.pool.query('select attempts, last_error from outbox where tenant_id = $1', [tenantId]);
    expect(after.rows.every((row: { attempts: number; last_error: string | null }) => row.attempts === 2 && row.last_error === null)).toBe(true);
  });

  it('given two relays running at once, then every event is sent exactly once', async () => {
    const tenantId = uniqueTenantId();
    const events = Array.from({ length: 40 }, (_, index) => event(tenantId, 'FulfillmentTask', randomUUID(), index));
    await enqueue(events);
    const sent: string[] = [];
    // A slow sink keeps each claim open long enough for the other relay to run into it.
    const slow: EventSink = {
      async send(batches) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const batch of batches) sent.push(...batch.messages.map((message) => message.headers['eventId']!));
      },
    };
    const relays = [1, 2].map(() => new OutboxRelay({ pool: db.pool, sink: slow, log: silent, topicFor, batchSize: 5 }));
    const drain = async (relay: OutboxRelay) => {
      while ((await relay.runOnce()) > 0);
    };
    await Promise.all(relays.map(drain));
    expect([...sent].sort()).toEqual(events.map((each) => each.eventId).sort());
  });

  it('given relay A holds a claim while its send waits, when relay B runs a round, then B publishes the next events within a second instead of waiting for A', async () => {
    const tenantId = uniqueTenantId();
    const events = Array.from({ length: 4 }, (_, index) => event(tenantId, 'FulfillmentTask', randomUUID(), index));
    await enqueue(events);
    const idsOf = (batches: TopicBatch[]) => batches.flatMap((batch) => batch.messages.map((message) => message.headers['eventId']!));
    // A's send records what A claimed, then waits until the test releases it: A's claim stays open.
    let heldByA: string[] = [];
    let signalClaimed!: () => void;
    let releaseA!: () => void;
    const aHolds = new Promise<void>((resolve) => (signalClaimed = resolve));
    const stalled: EventSink = {
      send(batches) {
        heldByA = idsOf(batches);
        signalClaimed();
        return new Promise<void>((resolve) => (releaseA = resolve));
      },
    };
    const relayA = new OutboxRelay({ pool: db.pool, sink: stalled, log: silent, topicFor, batchSize: 2 });
    const sentByB: string[] = [];
    const relayB = new OutboxRelay({ pool: db.pool, sink: { send: async (batches) => void sentByB.push(...idsOf(batches)) }, log: silent, topicFor, batchSize: 2 });

    const roundA = relayA.runOnce();
    await aHolds;
    const roundB = relayB.runOnce();
    try {
      expect(await settlesWithin(roundB, 1000)).toBe(2);
      expect(heldByA).toEqual([events[0]!.eventId, events[1]!.eventId]);
      expect(sentByB).toEqual([events[2]!.eventId, events[3]!.eventId]);
    } finally {
      releaseA();
      await Promise.allSettled([roundA, roundB]);
    }
    expect(await roundA).toBe(2);
  });

  it('given the loop is started, when events are committed, then they are published without further calls, and stop ends the loop', async () => {
    const tenantId = uniqueTenantId();
    const sent: string[] = [];
    const recording: EventSink = { send: async (batches) => void sent.push(...batches.flatMap((batch) => batch.messages.map((message) => message.headers['eventId']!))) };
    const relay = new OutboxRelay({ pool: db.pool, sink: recording, log: silent, topicFor, pollIntervalMs: 20 });
    relay.start();
    const published = event(tenantId, 'Order', randomUUID(), 1);
    await enqueue([published]);
    const deadline = Date.now() + 5000;
    while (!sent.includes(published.eventId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await relay.stop();
    expect(sent).toContain(published.eventId);
  });
});
