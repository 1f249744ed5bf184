/**
 * A test's view of the outbox events on Kafka: every event under a topic prefix, read from the
 * beginning by a consumer group of its own.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { aggregateTypes } from '../../connector-runtime/src/commands/command-context';
import { kebabCase } from '../../connector-runtime/src/relays/outbox-relay';

/** One event as Kafka delivered it. */
export interface ConsumedEvent {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  correlationId: string;
  offset: string;
  partition: number;
}

/** Starts consuming; resolves once subscribed, with the function that disconnects. */
export async function consumeFulfillmentEvents(options: { clientId: string; brokers: string; topicPrefix: string }, onEvent: (event: ConsumedEvent) => void): Promise<() => Promise<void>> {
  const kafka = new Kafka({ clientId: options.clientId, brokers: options.brokers.split(','), logLevel: logLevel.NOTHING });
  // One topic per aggregate type (docs/architecture.md §6), created up front: a consumer subscribes to topics that exist.
  const topics = Object.values(aggregateTypes).map((type) => `${options.topicPrefix}${kebabCase(type)}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${options.clientId}-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const header = (name: string) => message.headers?.[name]?.toString() ?? '';
      onEvent({ topic, key: message.key?.toString() ?? '', eventId: header('eventId'), eventType: header('eventType'), correlationId: header('correlationId'), offset: message.offset, partition });
    },
  });
  return () => consumer.disconnect();
}
