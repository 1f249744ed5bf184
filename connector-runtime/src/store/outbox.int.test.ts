import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { withTransaction } from './database';
import { openStoreTestDatabase, uniqueTenantId } from './fixtures/store-test-database';
import type { StoreTestDatabase } from './fixtures/store-test-database';
import { enqueueEvent, listUnpublishedEvents } from './outbox';
import type { OutboxEvent } from './outbox';

let db: StoreTestDatabase;

beforeAll(async () => {
  db = await openStoreTestDatabase('store_outbox');
});

afterAll(async () => {
  await db?.close();
});

function event(tenantId: string, occurredAt: string, overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    eventId: randomUUID(),
    eventType: 'FulfillmentTaskCompleted',
    eventVersion: 1,
    occurredAt,
    tenantId,
    correlationId: 'corr-001',
    aggregateType: 'FulfillmentTask',
    aggregateId: randomUUID(),
    payload: { status: 'COMPLETED', externalCorrelationId: 'inv-res-123' },
    ...overrides,
  };
}

describe('outbox', () => {
  it('lists a tenant\'s unpublished events oldest first, without other tenants\' or published ones', async () => {
    const tenantId = uniqueTenantId();
    const later = event(tenantId, '2026-07-02T05:00:02.000Z');
    const earlier = event(tenantId, '2026-07-02T05:00:01.000Z');
    const published = event(tenantId, '2026-07-02T05:00:00.000Z');
    const foreign = event(uniqueTenantId(), '2026-07-02T05:00:00.000Z');
    await withTransaction(db.pool, async (tx) => {
      for (const each of [later, earlier, published, foreign]) await enqueueEvent(tx, each);
    });
    await db.pool.query('update outbox set published_at = now() where event_id = $1', [published.eventId]);

    const listed = await listUnpublishedEvents(db.pool, { tenantId });

    expect(listed.map(({ outboxId: _id, attempts: _attempts, ...envelope }) => envelope)).toEqual([earlier, later]);
    expect(await listUnpublishedEvents(db.pool, { tenantId, limit: 1 })).toHaveLength(1);
  });

  it('rejects an envelope that breaks the seed §20 shape and writes nothing', async () => {
    const tenantId = uniqueTenantId();

    await expect(
      withTransaction(db.pool, (tx) => enqueueEvent(tx, event(tenantId, 'yesterday', { eventVersion: 0 }))),
    ).rejects.toBeInstanceOf(ValidationError);

    expect(await listUnpublishedEvents(db.pool, { tenantId })).toEqual([]);
  });
});
