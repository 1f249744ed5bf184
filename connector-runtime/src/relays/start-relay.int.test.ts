/**
 * StartRelay on the real PostgreSQL and the local engine through the SDK: a start request written
 * with the plan becomes exactly one process instance, recorded with its key; a failing engine is
 * retried with back-off and finally reported FAILED.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../../local-engine/test/harness';
import { modelPath } from '../../../bpmn/src/generate-model';
import { withTransaction } from '../store/database';
import { openStoreTestDatabase, seedBroadbandPlan, uniqueTenantId } from '../store/fixtures/store-test-database';
import type { StoreTestDatabase } from '../store/fixtures/store-test-database';
import type { ZeebeClient } from '../engine/camunda-connection';
import { requestWorkflowStart, StartRelay, type ProcessStarter } from './start-relay';

const silent = pino({ level: 'silent' });
let db: StoreTestDatabase;
let h: Harness;
let zeebe: ZeebeClient;

beforeAll(async () => {
  db = await openStoreTestDatabase('relay_start');
  h = await startHarness('relay_start_engine');
  zeebe = h.zeebe;
  await zeebe.deployResource({ process: readFileSync(modelPath), name: 'order-fulfillment-v1.bpmn' });
});

afterAll(async () => {
  await h?.close();
  await db?.close();
});

async function planWithStartRequest(tenantId: string) {
  const stored = await seedBroadbandPlan(db.pool, tenantId);
  const { orderId, fulfillmentPlanId } = stored.plan;
  const command = { tenantId, requestId: randomUUID(), orderId, fulfillmentPlanId };
  const requestId = await withTransaction(db.pool, (tx) => requestWorkflowStart(tx, command));
  return { ...command, requestId };
}

async function requestRow(tenantId: string) {
  const result = await db.pool.query('select status, attempts, last_error, process_instance_key from workflow_start_request where tenant_id = $1', [tenantId]);
  return result.rows[0] as { status: string; attempts: number; last_error: string | null; process_instance_key: string | null };
}

/** `promise`'s value, or a rejection if it takes longer than `ms`: a relay round must not wait on another's locks. */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('StartRelay', () => {
  it('given a start request, when the relay runs, then one instance starts with the ids and is recorded, and a repeated request or round starts nothing more', async () => {
    const tenantId = uniqueTenantId();
    const request = await planWithStartRequest(tenantId);
    // Asking again for the same plan is the same request.
    const again = await withTransaction(db.pool, (tx) => requestWorkflowStart(tx, { ...request, requestId: randomUUID() }));
    expect(again).toBe(request.requestId);

    const relay = new StartRelay({ pool: db.pool, starter: zeebe, log: silent });
    expect(await relay.runOnce()).toBe(1);
    expect(await relay.runOnce()).toBe(0);

    const row = await requestRow(tenantId);
    expect(row).toMatchObject({ status: 'STARTED', attempts: 1, last_error: null });
    const ref = await db.pool.query('select process_id, process_instance_key, status from order_workflow_ref where tenant_id = $1', [tenantId]);
    expect(ref.rows).toEqual([{ process_id: 'order-fulfillment-v1', process_instance_key: row.process_instance_key, status: 'ACTIVE' }]);
    // The instance exists and carries the ids the first job loads the plan with.
    const jobs = await zeebe.activateJobs({ type: 'load-fulfillment-plan', worker: 'test', timeout: 10_000, maxJobsToActivate: 10, requestTimeout: 1000 });
    const mine = jobs.filter((job) => job.processInstanceKey === row.process_instance_key);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.variables).toMatchObject({ tenantId, orderId: request.orderId, fulfillmentPlanId: request.fulfillmentPlanId });
  });

  it('given a start request whose transaction rolled back, then nothing starts', async () => {
    const tenantId = uniqueTenantId();
    const stored = await seedBroadbandPlan(db.pool, tenantId);
    await expect(
      withTransaction(db.pool, async (tx) => {
        await requestWorkflowStart(tx, { tenantId, requestId: randomUUID(), orderId: stored.plan.orderId, fulfillmentPlanId: stored.plan.fulfillmentPlanId });
        throw new Error('decomposition failed after the request');
      }),
    ).rejects.toThrow('decomposition failed');
    const relay = new StartRelay({ pool: db.pool, starter: zeebe, log: silent });
    await relay.runOnce();
    expect(await requestRow(tenantId)).toBeUndefined();
  });

  it('given an engine that refuses, then the request is retried after a back-off, and FAILED after the last attempt', async () => {
    const tenantId = uniqueTenantId();
    await planWithStartRequest(tenantId);
    let calls = 0;
    const refusing: ProcessStarter = {
      async createProcessInstance() {
        calls += 1;
        throw new Error('14 UNAVAILABLE: gateway down');
      },
    };
    const relay = new StartRelay({ pool: db.pool, starter: refusing, log: silent, maxAttempts: 2, retryBaseMs: 0 });
    // Other tenants' requests may be due too; only this tenant's row matters.
    while ((await requestRow(tenantId)).status === 'PENDING' && calls < 5) await relay.startNext();
    expect(calls).toBe(2);
    expect(await requestRow(tenantId)).toMatchObject({ status: 'FAILED', attempts: 2, last_error: '14 UNAVAILABLE: gateway down', process_instance_key: null });

    const backoff = new StartRelay({ pool: db.pool, starter: refusing, log: silent, retryBaseMs: 60_000 });
    const tenantB = uniqueTenantId();
    await planWithStartRequest(tenantB);
    await backoff.startNext();
    // Not due again for a minute: a second round does not touch it.
    const before = calls;
    expect(await backoff.runOnce()).toBe(0);
    expect(calls).toBe(before);
    expect(await requestRow(tenantB)).toMatchObject({ status: 'PENDING', attempts: 1 });
  });

  it('given relay A holds a claim while the engine has not answered, when relay B runs a round, then B starts the next request within a second instead of waiting for A', async () => {
    const tenants = [uniqueTenantId(), uniqueTenantId()];
    const first = await planWithStartRequest(tenants[0]!);
    const second = await planWithStartRequest(tenants[1]!);
    // A's engine call records which plan A claimed, then waits until the test releases it: A's claim stays open.
    let heldByA: unknown;
    let signalClaimed!: () => void;
    let releaseA!: (started: { processInstanceKey: string }) => void;
    const aHolds = new Promise<void>((resolve) => (signalClaimed = resolve));
    const stalled: ProcessStarter = {
      createProcessInstance(request) {
        heldByA = request.variables['fulfillmentPlanId'];
        signalClaimed();
        return new Promise((resolve) => (releaseA = resolve));
      },
    };
    const startedByB: unknown[] = [];
    const recording: ProcessStarter = {
      async createProcessInstance(request) {
        startedByB.push(request.variables['fulfillmentPlanId']);
        return { processInstanceKey: String(2251799813700000 + startedByB.length) };
      },
    };
    const relayA = new StartRelay({ pool: db.pool, starter: stalled, log: silent });
    const relayB = new StartRelay({ pool: db.pool, starter: recording, log: silent });

    const roundA = relayA.startNext();
    await aHolds;
    const roundB = relayB.runOnce();
    try {
      expect(await settlesWithin(roundB, 1000)).toBe(1);
      expect([heldByA, ...startedByB].sort()).toEqual([first.fulfillmentPlanId, second.fulfillmentPlanId].sort());
    } finally {
      releaseA({ processInstanceKey: '2251799813799999' });
      await Promise.allSettled([roundA, roundB]);
    }
    expect(await roundA).toBe('started');
    expect(await Promise.all(tenants.map(requestRow))).toMatchObject([{ status: 'STARTED' }, { status: 'STARTED' }]);
  });
});
