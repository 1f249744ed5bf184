/**
 * The Kafka side of the outbox relay (docs/architecture.md §6): an idempotent kafkajs producer (acks from all
 * in-sync replicas, one request in flight, so retries neither duplicate nor reorder), creating a
 * topic the first time an aggregate type is published.
 */
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import type { Logger } from '../observability/logger';
import type { EventSink, TopicBatch } from './outbox-relay';

/** A connected sink; `close` disconnects it. */
export interface KafkaEventSink extends EventSink {
  close(): Promise<void>;
}

/** Connects an idempotent producer to `brokers`. */
export async function connectKafkaEventSink(options: { brokers: string[]; clientId: string; log: Logger }): Promise<KafkaEventSink> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...rest } = log;
        if (level <= logLevel.ERROR) options.log.error(rest, `kafka: ${message}`);
        else options.log.warn(rest, `kafka: ${message}`);
      },
  });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  const knownTopics = new Set(await admin.listTopics());
  return {
    async send(batches: TopicBatch[]) {
      let missing = batches.map((batch) => batch.topic).filter((topic) => !knownTopics.has(topic));
      if (missing.length > 0) {
        // Another client (an operator, a consumer's set-up) may have created it since we looked:
        // asking to create an existing topic makes the broker answer with an error kafkajs logs.
        for (const topic of await admin.listTopics()) knownTopics.add(topic);
        missing = missing.filter((topic) => !knownTopics.has(topic));
      }
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
        for (const topic of missing) knownTopics.add(topic);
      }
      await producer.sendBatch({ acks: -1, topicMessages: batches });
    },
    async close() {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    },
  };
}
