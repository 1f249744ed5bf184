/**
 * The Kafka broker the suite runs against (the project's own, from scripts/kafka.mjs, or
 * KAFKA_BROKERS) takes what the outbox relay will send: an idempotent producer with acks from all
 * replicas, keyed messages with event headers, read back by a fresh consumer group in order.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Admin, Consumer, IHeaders, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

interface SentEvent {
  key: string;
  sequence: number;
  headers: Record<string, string>;
  value: string;
}

interface ReceivedEvent {
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
  partition: number;
  offset: bigint;
}

const partitions = 3;
const keys = ['order-1001', 'order-1002', 'order-1003', 'order-1004'];
const eventsPerKey = 4;

/** Interleaves keys (1001 #0, 1002 #0, ..., 1001 #1, ...) so order per key is not order of sending. */
function buildEvents(topic: string): SentEvent[] {
  const events: SentEvent[] = [];
  for (let sequence = 0; sequence < eventsPerKey; sequence += 1) {
    for (const key of keys) {
      const eventId = randomUUID();
      events.push({
        key,
        sequence,
        headers: { eventId, eventType: `FulfillmentTaskChanged.v${sequence}`, tenantId: 'tenant-a', correlationId: `${topic}/${key}` },
        value: JSON.stringify({ eventId, aggregateId: key, sequence, note: 'ünïcødé survives the round trip' }),
      });
    }
  }
  return events;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length !== 1) throw new Error(`header ${name} came back ${values.length} times`);
    result[name] = values[0]!.toString();
  }
  return result;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Kafka broker round trip (kafkajs)', () => {
  const brokers = inject('kafkaBrokers').split(',').map((broker) => broker.trim());
  const runId = randomUUID();
  const topic = `fp-test-roundtrip-${runId}`;
  const groupId = `fp-test-roundtrip-${runId}`;
  const kafka = new Kafka({
    clientId: 'fulfillment-pack-test',
    brokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
  });
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  const sent = buildEvents(topic);
  const received: ReceivedEvent[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true, timeout: 20_000 });
    expect(created).toBe(true);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('given an idempotent producer with acks=-1, when keyed events with headers are sent in several requests, then every partition acknowledges them', async () => {
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Java's murmur2 partitioner: a key lands on the partition a Java client would choose.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const acknowledged = [];
    // Several requests, so the idempotent producer's sequence numbers run across batches.
    for (let start = 0; start < sent.length; start += keys.length) {
      const batch = sent.slice(start, start + keys.length);
      acknowledged.push(
        ...(await producer.send({
          topic,
          acks: -1,
          messages: batch.map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
        })),
      );
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const record of acknowledged) {
      expect(record.topicName).toBe(topic);
      expect(record.errorCode).toBe(0);
    }
  }, 60_000);

  it('given a fresh consumer group reading from the beginning, when it consumes the topic, then keys, values, headers and per-partition order come back as sent', async () => {
    expect(producer, 'the producing test must run first').toBeDefined();
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          key: message.key?.toString(),
          value: message.value?.toString(),
          headers: headersToStrings(message.headers),
          partition,
          offset: BigInt(message.offset),
        });
      },
    });
    await waitFor(() => received.length >= sent.length, 45_000, `${sent.length} messages (got ${received.length})`);
    // A short extra wait: a duplicate delivered late would otherwise go unseen.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(received).toHaveLength(sent.length);
    const byEventId = new Map(received.map((event) => [event.headers.eventId, event]));
    expect(byEventId.size).toBe(sent.length);
    for (const event of sent) {
      const got = byEventId.get(event.headers.eventId);
      expect(got, `event ${event.key} #${event.sequence}`).toBeDefined();
      expect(got!.key).toBe(event.key);
      expect(got!.value).toBe(event.value);
      expect(got!.headers).toEqual(event.headers);
    }

    // One key, one partition: the guarantee the relay relies on for per-aggregate order.
    for (const key of keys) {
      const ofKey = received.filter((event) => event.key === key);
      expect(new Set(ofKey.map((event) => event.partition)).size).toBe(1);
      expect(ofKey.map((event) => (JSON.parse(event.value!) as { sequence: number }).sequence)).toEqual([0, 1, 2, 3]);
    }
    for (let partition = 0; partition < partitions; partition += 1) {
      const offsets = received.filter((event) => event.partition === partition).map((event) => event.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(offsets).size).toBe(offsets.length);
    }
  }, 60_000);
});
