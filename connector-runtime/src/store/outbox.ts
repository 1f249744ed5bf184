/**
 * The write side of the transactional outbox (docs/architecture.md §6, seed §20): a domain event is inserted in
 * the transaction that changed the state it describes, so the event exists exactly when the change
 * does. `relays/outbox-relay.ts` publishes the rows to Kafka; whenever Kafka is absent they stay
 * unpublished and readable through {@link listUnpublishedEvents}.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import type { Queryable, Tx } from './database';
import { insertOutboxEvent } from './queries/insert-outbox-event';
import { selectUnpublishedOutboxEvents } from './queries/select-unpublished-outbox-events';
import { isoFromColumn } from './rows';

/** The event envelope of seed §20. */
export const outboxEventSchema = z.strictObject({
  eventId: z.uuid(),
  eventType: z.string().regex(/^[A-Z][A-Za-z0-9]{1,127}$/, 'PascalCase event type'),
  eventVersion: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  tenantId: z.string().min(1).max(64),
  correlationId: z.string().min(1).max(128),
  aggregateType: z.string().min(1).max(64),
  aggregateId: z.uuid(),
  payload: z.record(z.string(), z.unknown()),
});
/** See {@link outboxEventSchema}. */
export type OutboxEvent = z.infer<typeof outboxEventSchema>;

/** An event as stored, with its outbox position (identity column, a decimal string). */
export interface StoredOutboxEvent extends OutboxEvent {
  outboxId: string;
  attempts: number;
}

/**
 * Inserts `event` into the outbox inside `tx` and returns its outbox id. The Kafka headers the relay
 * will send (docs/architecture.md §6: eventId, eventType, tenantId, correlationId) are stored with it. An envelope
 * that breaks the schema is a `ValidationError`; a repeated `eventId` fails on the unique key and
 * takes the whole transaction down with it.
 */
export async function enqueueEvent(tx: Tx, event: OutboxEvent): Promise<string> {
  const parsed = outboxEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError(
      `outbox event ${String(event.eventType)} is invalid`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const valid = parsed.data;
  return insertOutboxEvent(tx, {
    ...valid,
    headers: { eventId: valid.eventId, eventType: valid.eventType, tenantId: valid.tenantId, correlationId: valid.correlationId },
  });
}

/** The tenant's unpublished events, oldest first, at most `limit` (default 100). */
export async function listUnpublishedEvents(db: Queryable, params: { tenantId: string; limit?: number }): Promise<StoredOutboxEvent[]> {
  const rows = await selectUnpublishedOutboxEvents(db, { tenantId: params.tenantId, limit: params.limit ?? 100 });
  return rows.map((row) => ({
    outboxId: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: row.event_version,
    occurredAt: isoFromColumn(row.occurred_at)!,
    tenantId: row.tenant_id,
    correlationId: row.correlation_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    payload: row.payload as Record<string, unknown>,
    attempts: row.attempts,
  }));
}
