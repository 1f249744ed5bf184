/**
 * OutboxRelay (docs/architecture.md §6, seed §20): publishes the outbox to Kafka after the state changes the
 * events report have committed. Each round claims the oldest unpublished rows with FOR UPDATE SKIP
 * LOCKED, sends them, and marks them published in the same transaction; if sending fails, the rows
 * stay unpublished with the attempt and the error recorded, and the relay backs off. A crash
 * between send and commit sends those events again: delivery is at least once, and consumers
 * deduplicate on the eventId header.
 */
import type pg from 'pg';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger';
import { withTransaction } from '../store/database';
import { claimUnpublishedOutboxEvents } from '../store/queries/claim-unpublished-outbox-events';
import { markOutboxEventsPublished } from '../store/queries/mark-outbox-events-published';
import { recordOutboxPublishFailure } from '../store/queries/record-outbox-publish-failure';
import type { OutboxRow } from '../store/queries/select-unpublished-outbox-events';
import { isoFromColumn } from '../store/rows';
import { startPollLoop, type PollLoop } from './poll-loop';
import type { FaultPoints } from '../faults/fault-points';

/** One Kafka message of the relay. */
export interface OutboundMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Messages for one topic, in outbox order. */
export interface TopicBatch {
  topic: string;
  messages: OutboundMessage[];
}

/** Where events go: Kafka in the runtime, a fake in tests of failure handling. */
export interface EventSink {
  /** Resolves once every message is acknowledged; rejects if any is not. */
  send(batches: TopicBatch[]): Promise<void>;
}

/** Options of the relay. */
export interface OutboxRelayOptions {
  pool: pg.Pool;
  sink: EventSink;
  log: Logger;
  /** Topic of an aggregate type's events. */
  topicFor(aggregateType: string): string;
  /** Rows per round (default 100). */
  batchSize?: number;
  /** Wait between rounds when the outbox is drained (default 500 ms). */
  pollIntervalMs?: number;
  /** Longest back-off after failures (default 30 s). */
  maxBackoffMs?: number;
  registry?: Registry;
  /** Fault-injection tests only (FAULT_POINTS). */
  faults?: FaultPoints;
}

/** The §20 envelope, as the message value. */
function envelopeOf(row: OutboxRow): string {
  return JSON.stringify({
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    occurredAt: isoFromColumn(row.occurred_at),
    tenantId: row.tenant_id,
    correlationId: row.correlation_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
  });
}

/** Groups rows by topic, keeping outbox order within each topic (and so within each key). */
export function toTopicBatches(rows: readonly OutboxRow[], topicFor: (aggregateType: string) => string): TopicBatch[] {
  const byTopic = new Map<string, OutboundMessage[]>();
  for (const row of rows) {
    const topic = topicFor(row.aggregate_type);
    const headers = Object.fromEntries(Object.entries((row.headers ?? {}) as Record<string, unknown>).map(([name, value]) => [name, String(value)]));
    const messages = byTopic.get(topic) ?? [];
    messages.push({ key: row.aggregate_id, value: envelopeOf(row), headers });
    byTopic.set(topic, messages);
  }
  return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
}

/** `FulfillmentTask` -> `fulfillment-task`: the topic segment of an aggregate type. */
export function kebabCase(aggregateType: string): string {
  return aggregateType.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Publishes the outbox until stopped. */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly published?: Counter;
  private readonly failures?: Counter;
  private loop: PollLoop | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    if (options.registry) {
      this.published = new Counter({
        name: 'outbox_events_published_total',
        help: 'Outbox events published to Kafka',
        labelNames: ['aggregate_type'],
        registers: [options.registry],
      });
      this.failures = new Counter({ name: 'outbox_publish_failures_total', help: 'Outbox publishing rounds that failed', registers: [options.registry] });
    }
  }

  /**
   * One round: claim, send, mark. Returns how many events were published; throws (after
   * recording the failure on the rows) when sending failed.
   */
  async runOnce(): Promise<number> {
    const { pool, sink, topicFor } = this.options;
    let failure: unknown;
    const published = await withTransaction(pool, async (tx) => {
      const rows = await claimUnpublishedOutboxEvents(tx, { limit: this.batchSize });
      if (rows.length === 0) return 0;
      const ids = rows.map((row) => row.id);
      try {
        await sink.send(toTopicBatches(rows, topicFor));
        await this.options.faults?.hit('outbox.after-send');
      } catch (error) {
        failure = error;
        await recordOutboxPublishFailure(tx, { ids, error: (error as Error).message ?? String(error) });
        return 0;
      }
      await markOutboxEventsPublished(tx, { ids });
      for (const row of rows) this.published?.inc({ aggregate_type: row.aggregate_type });
      return rows.length;
    });
    if (failure !== undefined) {
      this.failures?.inc();
      throw failure;
    }
    return published;
  }

  /** Starts publishing in the background (idempotent). */
  start(): void {
    this.loop ??= startPollLoop({
      name: 'outbox relay',
      round: async () => (await this.runOnce()) === this.batchSize,
      log: this.options.log,
      pollIntervalMs: this.pollIntervalMs,
      maxBackoffMs: this.maxBackoffMs,
    });
  }

  /** Stops after the current round; resolves when the loop has ended. */
  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
