/**
 * Figure (c): outbox events per second published to Kafka by the OutboxRelay (claim a batch with
 * SKIP LOCKED, build the envelopes, send through the runtime's Kafka sink — idempotent producer,
 * acks from all replicas — mark published, commit; round after round) against raw kafkajs sends of
 * the same batches (the same messages, grouped the same way, by a producer with the same
 * settings) with no database. Both publish to topics of their own, created up front, in rounds
 * that alternate the two; each round the relay drains `events` fresh outbox rows.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type pg from 'pg';
import { pino } from 'pino';
import { aggregateTypes } from '../commands/command-context';
import { connectKafkaEventSink } from '../relays/kafka-event-sink';
import { kebabCase, OutboxRelay, toTopicBatches } from '../relays/outbox-relay';
import { createPool } from '../store/database';
import type { OutboxRow } from '../store/queries/select-unpublished-outbox-events';
import { figure, perSecond, round2 } from './stats';

/** Settings of the scenario. */
export interface OutboxBenchOptions {
  databaseUrl: string;
  brokers: string[];
  rounds: number;
  /** Events per side per round. */
  events: number;
  progress(line: string): void;
}

const batchSize = 100;

/**
 * Writes `count` unpublished events shaped as the runtime writes them: task, plan and order
 * events in the §20 envelope, with their headers and a payload of the usual size.
 */
async function fillOutbox(pool: pg.Pool, tenantId: string, count: number): Promise<void> {
  const types = [aggregateTypes.task, aggregateTypes.task, aggregateTypes.task, aggregateTypes.plan, aggregateTypes.order];
  await pool.query(
    `insert into outbox (event_id, event_type, event_version, aggregate_type, aggregate_id, tenant_id, correlation_id, payload, headers, occurred_at)
     select e.event_id, 'FulfillmentTaskCompleted', 1, ($3::text[])[1 + e.n % array_length($3::text[], 1)], e.aggregate_id, $1::text, e.order_id::text,
            jsonb_build_object('fulfillmentPlanId', gen_random_uuid(), 'orderItemId', gen_random_uuid(), 'taskType', 'CHECK_SERVICEABILITY', 'status', 'COMPLETED',
                               'previousStatus', 'IN_PROGRESS', 'actor', 'worker:execute-fulfillment-task', 'externalCorrelationId', gen_random_uuid(), 'reference', 'inventory-' || e.n),
            jsonb_build_object('eventId', e.event_id, 'eventType', 'FulfillmentTaskCompleted', 'tenantId', $1::text, 'correlationId', e.order_id, 'aggregateType', 'FulfillmentTask'),
            now() + e.n * interval '1 microsecond'
       from (select n, gen_random_uuid() as event_id, gen_random_uuid() as aggregate_id, gen_random_uuid() as order_id from generate_series(1, $2::int) n) e`,
    [tenantId, count, types],
  );
}

/** Runs the scenario and returns its figure. */
export async function benchOutboxRelay(options: OutboxBenchOptions) {
  const tenantId = 'tenant-bench-outbox';
  const run = randomUUID().slice(0, 8);
  const relayPrefix = `bench-${run}.relay.`;
  const rawPrefix = `bench-${run}.raw.`;
  const pool = createPool(options.databaseUrl);
  const log = pino({ level: 'silent' });
  const kafka = new Kafka({ clientId: `bench-${run}`, brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topicTypes = [...new Set(Object.values(aggregateTypes))].map(kebabCase);
  await admin.createTopics({ topics: [relayPrefix, rawPrefix].flatMap((prefix) => topicTypes.map((type) => ({ topic: `${prefix}${type}`, numPartitions: 3 }))), waitForLeaders: true });
  const sink = await connectKafkaEventSink({ brokers: options.brokers, clientId: `bench-${run}-relay`, log });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const relay = new OutboxRelay({ pool, sink, log, topicFor: (type) => `${relayPrefix}${kebabCase(type)}`, batchSize });
  try {
    // The baseline's batches: the same rows, grouped as the relay groups them, read once up front.
    await fillOutbox(pool, `${tenantId}-raw`, options.events);
    const rows = (await pool.query<OutboxRow>(`select id::text as id, event_id, event_type, event_version, aggregate_type, aggregate_id, tenant_id, correlation_id, payload, headers, occurred_at, attempts from outbox where tenant_id = $1 order by occurred_at, id`, [`${tenantId}-raw`])).rows;
    await pool.query(`update outbox set published_at = now() where tenant_id = $1`, [`${tenantId}-raw`]);
    const batches = Array.from({ length: Math.ceil(rows.length / batchSize) }, (_, i) => toTopicBatches(rows.slice(i * batchSize, (i + 1) * batchSize), (type) => `${rawPrefix}${kebabCase(type)}`));

    const drain = async () => {
      let published = 0;
      const started = performance.now();
      for (let n = await relay.runOnce(); n > 0; n = await relay.runOnce()) published += n;
      return { events: published, elapsedMs: performance.now() - started };
    };
    const sendRaw = async () => {
      const started = performance.now();
      for (const batch of batches) await producer.sendBatch({ acks: -1, topicMessages: batch });
      return { events: rows.length, elapsedMs: performance.now() - started };
    };

    options.progress('outbox: warm-up');
    await fillOutbox(pool, tenantId, Math.min(1000, options.events));
    await drain();
    await sendRaw();
    const relayRounds: { events: number; elapsedMs: number }[] = [];
    const rawRounds: { events: number; elapsedMs: number }[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      await fillOutbox(pool, tenantId, options.events);
      await pool.query('vacuum analyze outbox');
      relayRounds.push(await drain());
      rawRounds.push(await sendRaw());
      const r = relayRounds.at(-1)!;
      const b = rawRounds.at(-1)!;
      options.progress(`outbox round ${round + 1}: relay ${perSecond(r.events, r.elapsedMs).toFixed(0)} events/s, raw kafkajs ${perSecond(b.events, b.elapsedMs).toFixed(0)} events/s`);
    }
    const rate = (rounds: { events: number; elapsedMs: number }[]) => perSecond(rounds.reduce((sum, r) => sum + r.events, 0), rounds.reduce((sum, r) => sum + r.elapsedMs, 0));
    return {
      eventsPerSecond: figure(rate(relayRounds), rate(rawRounds), 0.85),
      batchSize,
      eventsPerSidePerRound: options.events,
      ratioPerRound: relayRounds.map((r, i) => round2(perSecond(r.events, r.elapsedMs) / perSecond(rawRounds[i]!.events, rawRounds[i]!.elapsedMs))),
    };
  } finally {
    await relay.stop();
    await producer.disconnect();
    await sink.close();
    await admin.deleteTopics({ topics: [relayPrefix, rawPrefix].flatMap((prefix) => topicTypes.map((type) => `${prefix}${type}`)) }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }
}
