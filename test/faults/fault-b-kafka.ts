/**
 * Kafka for the infrastructure fault tests: reading every event a runtime published under its topic
 * prefix (to count event ids and their duplicates), the consumer-side deduplication by the eventId
 * header that at-least-once delivery asks for, and a broker of the test's own (scripts/kafka.mjs
 * with KAFKA_STATE_DIR and KAFKA_PORT) that a test may stop without touching the suite's broker.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '../helpers/runtime-process';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** One message as a consumer received it. */
export interface ReceivedEvent {
  topic: string;
  partition: number;
  offset: string;
  eventId: string;
  eventType: string;
}

/**
 * Reads every message of the topics starting with `topicPrefix`, from the beginning up to the end
 * offsets taken when the call starts (so it returns instead of waiting for more).
 */
export async function readPublishedEvents(brokers: string, topicPrefix: string, timeoutMs = 120_000): Promise<ReceivedEvent[]> {
  const kafka = new Kafka({ clientId: `fault-reader-${randomUUID().slice(0, 8)}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
  // Partitions still to read, with the offset of the last message to expect.
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
    }
  }
  await admin.disconnect();
  const received: ReceivedEvent[] = [];
  if (remaining.size === 0) return received;
  const consumer = kafka.consumer({ groupId: `fault-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let done!: () => void;
    const allRead = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const last = remaining.get(`${topic}/${partition}`);
        if (last === undefined || BigInt(message.offset) > last) return;
        const envelope = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string; eventType?: string };
        received.push({
          topic,
          partition,
          offset: message.offset,
          eventId: message.headers?.['eventId']?.toString() ?? envelope.eventId ?? '',
          eventType: message.headers?.['eventType']?.toString() ?? envelope.eventType ?? '',
        });
        if (BigInt(message.offset) === last) {
          remaining.delete(`${topic}/${partition}`);
          if (remaining.size === 0) done();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      allRead,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${topicPrefix}* did not reach the end offsets within ${timeoutMs} ms (${remaining.size} partitions left)`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return received;
}

/** Event ids delivered more than once, with how many extra deliveries each had. */
export function duplicateDeliveries(events: readonly ReceivedEvent[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const event of events) seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
  return new Map([...seen].filter(([, count]) => count > 1).map(([id, count]) => [id, count - 1]));
}

/**
 * What a consumer of the outbox events does with at-least-once delivery (docs/architecture.md §6):
 * it remembers the event ids it has handled and drops a delivery whose id it has seen. `handle` is
 * called once per event id, in delivery order.
 */
export function deduplicatingConsumer<T extends { eventId: string }>(handle: (event: T) => void): { deliver(event: T): 'handled' | 'dropped'; dropped(): number } {
  const handled = new Set<string>();
  let dropped = 0;
  return {
    deliver(event) {
      if (handled.has(event.eventId)) {
        dropped += 1;
        return 'dropped';
      }
      handled.add(event.eventId);
      handle(event);
      return 'handled';
    },
    dropped: () => dropped,
  };
}

/** A broker of the test's own: its address, and stop / start on the same state (its topics survive). */
export interface OwnKafkaBroker {
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it (if it runs) and removes its state folder. */
  remove(): Promise<void>;
}

/** A second broker through scripts/kafka.mjs (KAFKA_STATE_DIR, KAFKA_PORT on a free port); not started yet. */
export async function ownKafkaBroker(): Promise<OwnKafkaBroker> {
  const stateDir = mkdtempSync(join(tmpdir(), 'fp-kafka-fault-'));
  // The controller takes the next port: look until both are free.
  let port = await freePort();
  for (let tries = 0; tries < 20 && (port >= 65535 || !(await portFree(port + 1))); tries += 1) port = await freePort();
  const env = { ...process.env, KAFKA_STATE_DIR: stateDir, KAFKA_PORT: String(port), KAFKA_START_TIMEOUT: '180' };
  const script = (command: string) => run(process.execPath, ['scripts/kafka.mjs', command], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
  let started = false;
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      await script('start');
      started = true;
    },
    async stop() {
      await script('stop');
    },
    async remove() {
      if (started) await script('stop').catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
