import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyConflictError, InvalidTransitionError, NotFoundError } from '../errors';
import { defaultCatalog } from '../domain/catalog-default';
import { decompose } from '../domain/decomposition';
import { fulfillmentPlanSchema } from '../domain/fulfillment-plan';
import { randomIdFactory, sequentialIdFactory } from '../domain/id-factory';
import { withTransaction } from './database';
import { broadbandOrder, openStoreTestDatabase, seedBroadbandPlan, uniqueTenantId } from './fixtures/store-test-database';
import type { StoreTestDatabase } from './fixtures/store-test-database';
import { insertOrder } from './order-repository';
import { loadPlan, persistPlan, updatePlanStatus } from './plan-repository';

let db: StoreTestDatabase;

beforeAll(async () => {
  db = await openStoreTestDatabase('store_plan');
});

afterAll(async () => {
  await db?.close();
});

const recordedPlan = fulfillmentPlanSchema.parse(
  JSON.parse(readFileSync(new URL('../domain/fixtures/broadband-bundle.plan.json', import.meta.url), 'utf8')),
);

async function count(table: string, tenantId: string): Promise<number> {
  const result = await db.pool.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]);
  return result.rows[0].n;
}

describe('persistPlan / loadPlan', () => {
  it('persists the decomposed broadband bundle and loads back exactly the recorded plan', async () => {
    // Same tenant and ids as the domain fixture, so the loaded plan must equal the recorded file.
    const stored = await seedBroadbandPlan(db.pool, recordedPlan.tenantId, sequentialIdFactory(0xb1));
    expect(stored.plan).toEqual(recordedPlan);

    const loaded = await loadPlan(db.pool, { tenantId: recordedPlan.tenantId, fulfillmentPlanId: recordedPlan.fulfillmentPlanId });

    expect(loaded.plan).toEqual(recordedPlan);
    expect(loaded.version).toBe(0);
    expect(Object.values(loaded.taskVersions)).toEqual(recordedPlan.tasks.map(() => 0));
    expect(await count('fulfillment_task', recordedPlan.tenantId)).toBe(15);
    expect(await count('fulfillment_task_dependency', recordedPlan.tenantId)).toBe(
      recordedPlan.tasks.reduce((edges, task) => edges + task.dependsOn.length, 0),
    );
  });

  it('writes nothing of a plan whose graph the database rejects', async () => {
    const tenantId = uniqueTenantId();
    const order = broadbandOrder(tenantId);
    const plan = decompose(order, defaultCatalog, { idFactory: randomIdFactory });
    await withTransaction(db.pool, (tx) => insertOrder(tx, order));
    // The last task waits for a task that is not in the plan: the dependency's foreign key fails.
    const broken = { ...plan, tasks: plan.tasks.map((task, index) => (index === plan.tasks.length - 1 ? { ...task, dependsOn: [...task.dependsOn, order.orderId] } : task)) };

    await expect(withTransaction(db.pool, (tx) => persistPlan(tx, broken))).rejects.toMatchObject({ code: '23503' });

    expect(await count('fulfillment_plan', tenantId)).toBe(0);
    expect(await count('fulfillment_task', tenantId)).toBe(0);
    expect(await count('fulfillment_task_dependency', tenantId)).toBe(0);
  });

  it('does not find another tenant\'s plan', async () => {
    const stored = await seedBroadbandPlan(db.pool, uniqueTenantId());

    await expect(loadPlan(db.pool, { tenantId: uniqueTenantId(), fulfillmentPlanId: stored.plan.fulfillmentPlanId })).rejects.toMatchObject({
      code: 'PLAN.NOT_FOUND',
    });
    await expect(loadPlan(db.pool, { tenantId: uniqueTenantId(), fulfillmentPlanId: stored.plan.fulfillmentPlanId })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('updatePlanStatus', () => {
  const change = (tenantId: string, fulfillmentPlanId: string) => ({ tenantId, fulfillmentPlanId, actor: 'system:start-relay', correlationId: 'corr-002' });

  it('moves the plan through the domain state machine, bumps the version and audits the change', async () => {
    const tenantId = uniqueTenantId();
    const stored = await seedBroadbandPlan(db.pool, tenantId);
    const id = stored.plan.fulfillmentPlanId;

    const version = await withTransaction(db.pool, (tx) => updatePlanStatus(tx, { ...change(tenantId, id), expectedVersion: 0, to: 'IN_PROGRESS' }));

    expect(version).toBe(1);
    const loaded = await loadPlan(db.pool, { tenantId, fulfillmentPlanId: id });
    expect(loaded.plan.status).toBe('IN_PROGRESS');
    expect(loaded.version).toBe(1);
    const audit = await db.pool.query('select entity_type, state_before, state_after, actor, correlation_id from audit_log where tenant_id = $1', [tenantId]);
    expect(audit.rows).toEqual([
      { entity_type: 'FulfillmentPlan', state_before: 'CREATED', state_after: 'IN_PROGRESS', actor: 'system:start-relay', correlation_id: 'corr-002' },
    ]);
  });

  it('rejects a stale version and an illegal move, writing nothing', async () => {
    const tenantId = uniqueTenantId();
    const stored = await seedBroadbandPlan(db.pool, tenantId);
    const id = stored.plan.fulfillmentPlanId;
    await withTransaction(db.pool, (tx) => updatePlanStatus(tx, { ...change(tenantId, id), expectedVersion: 0, to: 'IN_PROGRESS' }));
    const plansBefore = await db.pool.query('select * from fulfillment_plan where tenant_id = $1', [tenantId]);

    await expect(
      withTransaction(db.pool, (tx) => updatePlanStatus(tx, { ...change(tenantId, id), expectedVersion: 0, to: 'COMPLETED' })),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(
      withTransaction(db.pool, (tx) => updatePlanStatus(tx, { ...change(tenantId, id), expectedVersion: 1, to: 'CREATED' })),
    ).rejects.toBeInstanceOf(InvalidTransitionError);

    expect((await db.pool.query('select * from fulfillment_plan where tenant_id = $1', [tenantId])).rows).toEqual(plansBefore.rows);
    expect(await count('audit_log', tenantId)).toBe(1);
  });
});
