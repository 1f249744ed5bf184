import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ConcurrencyConflictError, InvalidTransitionError, NotFoundError } from '../errors';
import { sequentialIdFactory } from '../domain/id-factory';
import { withTransaction } from './database';
import { openStoreTestDatabase, seedBroadbandPlan, taskAt, tenantWrites, uniqueTenantId } from './fixtures/store-test-database';
import type { StoreTestDatabase } from './fixtures/store-test-database';
import { enqueueEvent, listUnpublishedEvents } from './outbox';
import { loadPlan } from './plan-repository';
import { promotePendingTasks, transitionTask } from './task-transitions';
import type { TaskTransitionCommand } from './task-transitions';

let db: StoreTestDatabase;

beforeAll(async () => {
  db = await openStoreTestDatabase('store_task');
});

afterAll(async () => {
  await db?.close();
});

/** Given a fresh broadband plan, the READY serviceability check (sequence 3) and a command on it. */
async function givenReadyTask(): Promise<{ tenantId: string; taskId: string; command: (overrides: Partial<TaskTransitionCommand>) => TaskTransitionCommand }> {
  const tenantId = uniqueTenantId();
  const stored = await seedBroadbandPlan(db.pool, tenantId);
  const task = taskAt(stored, 3);
  expect(task.status).toBe('READY');
  return {
    tenantId,
    taskId: task.taskId,
    command: (overrides) => ({
      tenantId,
      taskId: task.taskId,
      expectedVersion: 0,
      to: 'IN_PROGRESS',
      actor: 'worker:test',
      correlationId: 'corr-001',
      ...overrides,
    }),
  };
}

describe('transitionTask', () => {
  it('commits the task change, its audit row and its outbox event together', async () => {
    const { tenantId, taskId, command } = await givenReadyTask();
    const at = '2026-07-02T05:00:00.000Z';

    const result = await withTransaction(db.pool, (tx) => transitionTask(tx, command({ at })));

    expect(result.previousStatus).toBe('READY');
    expect(result.task.task.status).toBe('IN_PROGRESS');
    expect(result.task.version).toBe(1);
    const row = await db.pool.query('select status, version, attempt_count, started_at from fulfillment_task where tenant_id = $1 and id = $2', [tenantId, taskId]);
    expect(row.rows[0]).toEqual({ status: 'IN_PROGRESS', version: '1', attempt_count: 1, started_at: new Date(at) });

    const audit = await db.pool.query('select * from audit_log where tenant_id = $1 and entity_id = $2', [tenantId, taskId]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({
      entity_type: 'FulfillmentTask',
      state_before: 'READY',
      state_after: 'IN_PROGRESS',
      actor: 'worker:test',
      correlation_id: 'corr-001',
      details: { eventId: result.eventId },
    });

    const events = await listUnpublishedEvents(db.pool, { tenantId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outboxId: result.outboxId,
      eventId: result.eventId,
      eventType: 'FulfillmentTaskStarted',
      eventVersion: 1,
      occurredAt: at,
      tenantId,
      correlationId: 'corr-001',
      aggregateType: 'FulfillmentTask',
      aggregateId: taskId,
      payload: { taskType: 'CHECK_SERVICEABILITY', status: 'IN_PROGRESS', previousStatus: 'READY' },
    });
    const headers = await db.pool.query('select headers from outbox where event_id = $1', [result.eventId]);
    expect(headers.rows[0].headers).toEqual({ eventId: result.eventId, eventType: 'FulfillmentTaskStarted', tenantId, correlationId: 'corr-001' });
  });

  it('names the event after the target status and keeps the failure on the task', async () => {
    const { tenantId, taskId, command } = await givenReadyTask();
    await withTransaction(db.pool, (tx) => transitionTask(tx, command({})));
    const failure = { code: 'INVENTORY.REJECTED', message: 'no port free' };

    const failed = await withTransaction(db.pool, (tx) => transitionTask(tx, command({ expectedVersion: 1, to: 'FAILED', failure })));

    expect(failed.task.lastFailure).toEqual(failure);
    const stored = await db.pool.query('select last_failure_code, last_failure_message from fulfillment_task where tenant_id = $1 and id = $2', [tenantId, taskId]);
    expect(stored.rows[0]).toEqual({ last_failure_code: failure.code, last_failure_message: failure.message });
    const events = await listUnpublishedEvents(db.pool, { tenantId });
    expect(events.map((event) => event.eventType)).toEqual(['FulfillmentTaskStarted', 'FulfillmentTaskFailed']);
    expect(events[1]!.payload).toMatchObject({ status: 'FAILED', failure });
  });

  it('rolls the task change, audit row and event back when the transaction fails afterwards', async () => {
    const { tenantId, command } = await givenReadyTask();
    const before = await tenantWrites(db.pool, tenantId);

    await expect(
      withTransaction(db.pool, async (tx) => {
        await transitionTask(tx, command({}));
        throw new Error('the worker failed after the transition');
      }),
    ).rejects.toThrow('the worker failed after the transition');

    expect(await tenantWrites(db.pool, tenantId)).toEqual(before);
  });

  it('rolls the task change and audit row back when the outbox insert itself fails (duplicate event id)', async () => {
    const { tenantId, taskId, command } = await givenReadyTask();
    const eventId = randomUUID();
    await withTransaction(db.pool, (tx) =>
      enqueueEvent(tx, {
        eventId,
        eventType: 'FulfillmentPlanExecutionStarted',
        eventVersion: 1,
        occurredAt: new Date().toISOString(),
        tenantId,
        correlationId: 'corr-000',
        aggregateType: 'FulfillmentPlan',
        aggregateId: randomUUID(),
        payload: {},
      }),
    );
    const before = await tenantWrites(db.pool, tenantId);

    await expect(withTransaction(db.pool, (tx) => transitionTask(tx, command({ eventId })))).rejects.toMatchObject({
      code: '23505',
      constraint: 'outbox_event_id_key',
    });

    expect(await tenantWrites(db.pool, tenantId)).toEqual(before);
    const task = await db.pool.query('select status, version from fulfillment_task where tenant_id = $1 and id = $2', [tenantId, taskId]);
    expect(task.rows[0]).toEqual({ status: 'READY', version: '0' });
  });

  it('rejects a stale version with ConcurrencyConflictError and changes nothing', async () => {
    const { tenantId, command } = await givenReadyTask();
    await withTransaction(db.pool, (tx) => transitionTask(tx, command({})));
    const before = await tenantWrites(db.pool, tenantId);

    // The caller decided on version 0, but the task is at version 1 now.
    const stale = withTransaction(db.pool, (tx) => transitionTask(tx, command({ expectedVersion: 0, to: 'COMPLETED' })));

    await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(stale).rejects.toMatchObject({ code: 'TASK.VERSION_CONFLICT' });
    expect(await tenantWrites(db.pool, tenantId)).toEqual(before);
  });

  it('rejects an illegal transition with the domain InvalidTransitionError and writes nothing', async () => {
    const { tenantId, command } = await givenReadyTask();
    const before = await tenantWrites(db.pool, tenantId);

    const illegal = withTransaction(db.pool, (tx) => transitionTask(tx, command({ to: 'COMPLETED' })));

    await expect(illegal).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(illegal).rejects.toMatchObject({ code: 'TASK.INVALID_TRANSITION', details: { from: 'READY', to: 'COMPLETED' } });
    expect(await tenantWrites(db.pool, tenantId)).toEqual(before);
  });

  it('needs approvedBy to skip, as the domain state machine says, and records the approver', async () => {
    const { tenantId, command } = await givenReadyTask();
    await withTransaction(db.pool, (tx) => transitionTask(tx, command({})));
    await withTransaction(db.pool, (tx) => transitionTask(tx, command({ expectedVersion: 1, to: 'FAILED' })));
    const before = await tenantWrites(db.pool, tenantId);

    await expect(withTransaction(db.pool, (tx) => transitionTask(tx, command({ expectedVersion: 2, to: 'SKIPPED' })))).rejects.toMatchObject({
      code: 'TASK.INVALID_TRANSITION',
      details: { missing: 'approvedBy' },
    });
    expect(await tenantWrites(db.pool, tenantId)).toEqual(before);

    const skipped = await withTransaction(db.pool, (tx) =>
      transitionTask(tx, command({ expectedVersion: 2, to: 'SKIPPED', approvedBy: 'ops:rina', reason: 'serviceability known' })),
    );
    expect(skipped.task.task.status).toBe('SKIPPED');
    const events = await listUnpublishedEvents(db.pool, { tenantId });
    expect(events.at(-1)).toMatchObject({ eventType: 'FulfillmentTaskSkipped', payload: { approvedBy: 'ops:rina', reason: 'serviceability known' } });
  });

  it('lets no other tenant load or transition the task, even one holding the same ids', async () => {
    const owner = uniqueTenantId();
    const other = uniqueTenantId();
    const ownerPlan = await seedBroadbandPlan(db.pool, owner, sequentialIdFactory(0x5e));
    await seedBroadbandPlan(db.pool, other, sequentialIdFactory(0x5e));
    const stranger = uniqueTenantId();
    const taskId = taskAt(ownerPlan, 3).taskId;
    const before = await tenantWrites(db.pool, owner);

    await expect(loadPlan(db.pool, { tenantId: stranger, fulfillmentPlanId: ownerPlan.plan.fulfillmentPlanId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      withTransaction(db.pool, (tx) =>
        transitionTask(tx, { tenantId: stranger, taskId, expectedVersion: 0, to: 'IN_PROGRESS', actor: 'worker:test', correlationId: 'corr-x' }),
      ),
    ).rejects.toMatchObject({ code: 'TASK.NOT_FOUND' });

    // A tenant with the same ids moves its own task; the owner's stays as it was.
    await withTransaction(db.pool, (tx) =>
      transitionTask(tx, { tenantId: other, taskId, expectedVersion: 0, to: 'IN_PROGRESS', actor: 'worker:test', correlationId: 'corr-y' }),
    );
    expect(await tenantWrites(db.pool, owner)).toEqual(before);
    expect(await listUnpublishedEvents(db.pool, { tenantId: owner })).toEqual([]);
    expect(await listUnpublishedEvents(db.pool, { tenantId: other })).toHaveLength(1);
  });

  it('lets exactly one of two concurrent transitions from the same version win', async () => {
    const { tenantId, command } = await givenReadyTask();
    let firstWrote!: () => void;
    const firstHasWritten = new Promise<void>((resolve) => (firstWrote = resolve));

    const first = withTransaction(db.pool, async (tx) => {
      const result = await transitionTask(tx, command({ actor: 'worker:first' }));
      firstWrote();
      // Hold the row lock until the second transaction is queued behind it.
      await waitForLockWaiter();
      return result;
    });
    // Racing `first` too, so a failure of the first transition ends the test instead of hanging it.
    await Promise.race([firstHasWritten, first]);
    const second = withTransaction(db.pool, (tx) => transitionTask(tx, command({ actor: 'worker:second' })));

    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1].status).toBe('rejected');
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyConflictError);
    const writes = await tenantWrites(db.pool, tenantId);
    expect(writes.audit).toHaveLength(1);
    expect(writes.outbox).toHaveLength(1);
    expect(writes.audit[0]).toMatchObject({ actor: 'worker:first' });
  });

  it('lets exactly one of several racing transitions from the same version win', async () => {
    const { tenantId, command } = await givenReadyTask();

    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => withTransaction(db.pool, (tx) => transitionTask(tx, command({ actor: `worker:${n}` })))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const losers = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(losers).toHaveLength(3);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConcurrencyConflictError);
    const task = await db.pool.query('select version from fulfillment_task where tenant_id = $1 and status = $2', [tenantId, 'IN_PROGRESS']);
    expect(task.rows).toEqual([{ version: '1' }]);
    expect((await tenantWrites(db.pool, tenantId)).outbox).toHaveLength(1);
  });
});

/** Resolves once some session of this database waits for a row lock (the second transition). */
async function waitForLockWaiter(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const waiting = await db.pool.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
    );
    if (waiting.rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the second transaction never waited for the row lock');
}

describe('promotePendingTasks', () => {
  it('promotes the dependents of a completed task to READY, each audited with its event', async () => {
    const tenantId = uniqueTenantId();
    const stored = await seedBroadbandPlan(db.pool, tenantId);
    const check = taskAt(stored, 3);
    const base = { tenantId, taskId: check.taskId, actor: 'worker:test', correlationId: 'corr-001' };
    await withTransaction(db.pool, async (tx) => {
      await transitionTask(tx, { ...base, expectedVersion: 0, to: 'IN_PROGRESS' });
      await transitionTask(tx, { ...base, expectedVersion: 1, to: 'COMPLETED', at: '2026-07-02T05:00:00.000Z' });
    });

    const promoted = await withTransaction(db.pool, (tx) =>
      promotePendingTasks(tx, { tenantId, fulfillmentPlanId: stored.plan.fulfillmentPlanId, actor: 'system:dependency-resolution', correlationId: 'corr-001' }),
    );

    // The recorded plan: reserve-resource (4) and schedule-shipment (8) wait only for the check (3).
    expect(promoted).toEqual([taskAt(stored, 4).taskId, taskAt(stored, 8).taskId]);
    const loaded = await loadPlan(db.pool, { tenantId, fulfillmentPlanId: stored.plan.fulfillmentPlanId });
    expect(loaded.plan.tasks.filter((task) => task.status === 'READY').map((task) => task.sequence)).toEqual([4, 8]);
    expect(loaded.plan.tasks.find((task) => task.sequence === 3)).toMatchObject({ status: 'COMPLETED', completedAt: '2026-07-02T05:00:00.000Z' });
    expect(loaded.taskVersions[taskAt(stored, 4).taskId]).toBe(1);

    const audit = await db.pool.query(
      "select entity_id, state_before, state_after from audit_log where tenant_id = $1 and actor = 'system:dependency-resolution' order by id",
      [tenantId],
    );
    expect(audit.rows).toEqual(promoted.map((id) => ({ entity_id: id, state_before: 'PENDING', state_after: 'READY' })));
    const readyEvents = (await listUnpublishedEvents(db.pool, { tenantId })).filter((event) => event.eventType === 'FulfillmentTaskReady');
    expect(readyEvents.map((event) => event.aggregateId)).toEqual(promoted);

    // Nothing else became ready, so a second pass promotes nothing.
    expect(
      await withTransaction(db.pool, (tx) =>
        promotePendingTasks(tx, { tenantId, fulfillmentPlanId: stored.plan.fulfillmentPlanId, actor: 'system:dependency-resolution', correlationId: 'corr-001' }),
      ),
    ).toEqual([]);
  });
});
