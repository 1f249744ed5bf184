import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyConflictError, NotFoundError } from '../errors';
import { withTransaction } from './database';
import { broadbandOrder, openStoreTestDatabase, uniqueTenantId } from './fixtures/store-test-database';
import type { StoreTestDatabase } from './fixtures/store-test-database';
import { insertOrder, loadOrder, updateOrderStatus } from './order-repository';

let db: StoreTestDatabase;

beforeAll(async () => {
  db = await openStoreTestDatabase('store_order');
});

afterAll(async () => {
  await db?.close();
});

async function count(table: string, tenantId: string): Promise<number> {
  const result = await db.pool.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]);
  return result.rows[0].n;
}

describe('order repository', () => {
  it('inserts an order with its items and loads them back equal, in line order', async () => {
    const order = broadbandOrder(uniqueTenantId());

    const inserted = await withTransaction(db.pool, (tx) => insertOrder(tx, order, { externalRef: 'crm-1001' }));
    const loaded = await loadOrder(db.pool, { tenantId: order.tenantId, orderId: order.orderId });

    expect(inserted.version).toBe(0);
    expect(loaded).toEqual({
      tenantId: order.tenantId,
      orderId: order.orderId,
      externalRef: 'crm-1001',
      status: 'VALIDATED',
      completionPolicy: order.completionPolicy,
      orderVersion: order.orderVersion,
      version: 0,
      items: order.items,
    });
  });

  it('inserts parents before children whatever the item order', async () => {
    const order = broadbandOrder(uniqueTenantId());
    const reversed = { ...order, items: [...order.items].reverse() };

    await withTransaction(db.pool, (tx) => insertOrder(tx, reversed));

    expect((await loadOrder(db.pool, { tenantId: order.tenantId, orderId: order.orderId })).items).toEqual(reversed.items);
  });

  it('writes no row of an order whose item fails', async () => {
    const order = broadbandOrder(uniqueTenantId());
    // The same item id twice: the second insert hits the primary key, after the order row was written.
    const duplicated = { ...order, items: [...order.items, order.items[1]!] };

    await expect(withTransaction(db.pool, (tx) => insertOrder(tx, duplicated))).rejects.toMatchObject({ code: '23505' });

    expect(await count('customer_order', order.tenantId)).toBe(0);
    expect(await count('order_item', order.tenantId)).toBe(0);
  });

  it('does not find another tenant\'s order', async () => {
    const order = broadbandOrder(uniqueTenantId());
    await withTransaction(db.pool, (tx) => insertOrder(tx, order));

    const other = loadOrder(db.pool, { tenantId: uniqueTenantId(), orderId: order.orderId });

    await expect(other).rejects.toBeInstanceOf(NotFoundError);
    await expect(other).rejects.toMatchObject({ code: 'ORDER.NOT_FOUND' });
  });

  it('updates the status with a version check and an audit row; a stale version changes nothing', async () => {
    const order = broadbandOrder(uniqueTenantId());
    await withTransaction(db.pool, (tx) => insertOrder(tx, order));
    const change = { tenantId: order.tenantId, orderId: order.orderId, actor: 'system:decomposition', correlationId: 'corr-003' };

    const version = await withTransaction(db.pool, (tx) => updateOrderStatus(tx, { ...change, expectedVersion: 0, to: 'DECOMPOSED' }));
    expect(version).toBe(1);
    const rowBefore = (await db.pool.query('select * from customer_order where tenant_id = $1', [order.tenantId])).rows;

    await expect(
      withTransaction(db.pool, (tx) => updateOrderStatus(tx, { ...change, expectedVersion: 0, to: 'CANCELLED' })),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(
      withTransaction(db.pool, (tx) => updateOrderStatus(tx, { ...change, tenantId: uniqueTenantId(), expectedVersion: 1, to: 'CANCELLED' })),
    ).rejects.toBeInstanceOf(NotFoundError);

    expect((await db.pool.query('select * from customer_order where tenant_id = $1', [order.tenantId])).rows).toEqual(rowBefore);
    const loaded = await loadOrder(db.pool, { tenantId: order.tenantId, orderId: order.orderId });
    expect({ status: loaded.status, version: loaded.version }).toEqual({ status: 'DECOMPOSED', version: 1 });
    const audit = await db.pool.query('select entity_type, state_before, state_after, actor from audit_log where tenant_id = $1', [order.tenantId]);
    expect(audit.rows).toEqual([{ entity_type: 'Order', state_before: 'VALIDATED', state_after: 'DECOMPOSED', actor: 'system:decomposition' }]);
  });
});
