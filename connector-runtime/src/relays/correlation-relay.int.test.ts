/**
 * CorrelationRelay on the real PostgreSQL and the local engine through the SDK: a message recorded
 * with the callback that caused it reaches the waiting (or later) catch exactly once, a crash
 * between publish and mark is absorbed by the engine's messageId dedupe, concurrent relays never
 * publish a row twice, and a refusing engine is retried with back-off and finally reported FAILED.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { definitions, flow, message, serviceTask } from '../../../local-engine/test/fixtures';
import { deploy, now, startHarness, type Harness } from '../../../local-engine/test/harness';
import { withTransaction } from '../store/database';
import { openStoreTestDatabase, uniqueTenantId, type StoreTestDatabase } from '../store/fixtures/store-test-database';
import { listMessageCorrelations, requestMessageCorrelation, type MessageCorrelationRequest } from '../store/message-correlations';
import { CorrelationRelay, zeebeMessagePublisher, type MessagePublisher, type PublishMessageRequest } from './correlation-relay';

const silent = pino({ level: 'silent' });
const messageName = 'provisioning-completed';
let db: StoreTestDatabase;
let h: Harness;

beforeAll(async () => {
  db = await openStoreTestDatabase('relay_correlation');
  h = await startHarness('relay_correlation_engine');
  // start -> (job) -> wait for the message -> wait for it again -> end: the second catch shows
  // whether one row reached the instance twice.
  await deploy(
    h,
    'await-callback',
    definitions(
      'await-callback',
      `<bpmn:startEvent id="start"/>
       ${serviceTask('submit', 'relay-test-submit')}
       <bpmn:intermediateCatchEvent id="callback"><bpmn:messageEventDefinition messageRef="m-callback"/></bpmn:intermediateCatchEvent>
       <bpmn:intermediateCatchEvent id="second"><bpmn:messageEventDefinition messageRef="m-callback"/></bpmn:intermediateCatchEvent>
       <bpmn:endEvent id="end"/>
       ${flow('f1', 'start', 'submit')}${flow('f2', 'submit', 'callback')}${flow('f3', 'callback', 'second')}${flow('f4', 'second', 'end')}`,
      message('m-callback', messageName, '=correlationKey'),
    ),
  );
});

afterAll(async () => {
  await h?.close();
  await db?.close();
});

/** A correlation request for a task of `tenantId`, caused by a new external call attempt. */
function correlationFor(tenantId: string, overrides: Partial<MessageCorrelationRequest> = {}): MessageCorrelationRequest {
  const taskId = randomUUID();
  return {
    tenantId,
    processInstanceKey: '2251799813685249',
    messageName,
    correlationKey: `${tenantId}:${randomUUID()}:${taskId}`,
    aggregateType: 'FulfillmentTask',
    aggregateId: taskId,
    causeId: randomUUID(),
    variables: { currentTaskResult: 'SUCCEEDED' },
    timeToLiveMs: 60_000,
    ...overrides,
  };
}

function request(correlation: MessageCorrelationRequest) {
  return withTransaction(db.pool, (tx) => requestMessageCorrelation(tx, correlation));
}

async function row(id: string) {
  const result = await db.pool.query<{ status: string; attempts: number; last_error: string | null; correlated_at: Date | null; due_in_ms: number }>(
    `select status, attempts, last_error, correlated_at, (extract(epoch from next_attempt_at - now()) * 1000)::float8 as due_in_ms
       from workflow_message_correlation where id = $1`,
    [id],
  );
  return result.rows[0]!;
}

/** An instance of await-callback waiting at its job, with the key it will wait on. */
async function instanceAtSubmit(correlationKey: string): Promise<string> {
  const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'await-callback', variables: { correlationKey } });
  return created.processInstanceKey;
}

async function completeSubmit(processInstanceKey: string): Promise<void> {
  const jobs = await h.zeebe.activateJobs({ type: 'relay-test-submit', worker: 'test', maxJobsToActivate: 10, timeout: 60_000, requestTimeout: -1 });
  const job = jobs.find((candidate) => candidate.processInstanceKey === processInstanceKey);
  if (!job) throw new Error(`no submit job for instance ${processInstanceKey}`);
  await h.zeebe.completeJob({ jobKey: job.key, variables: {} });
}

async function activeElements(processInstanceKey: string): Promise<string[]> {
  const result = await h.api.searchElementInstances({ filter: { processInstanceKey, state: 'ACTIVE' } }, now);
  return result.items.map((element) => element.elementId).filter((id) => id !== 'await-callback').sort();
}

/** A publisher that only records message ids, slowly enough for relays to overlap. */
function recordingPublisher(): MessagePublisher & { published: PublishMessageRequest[] } {
  const published: PublishMessageRequest[] = [];
  return {
    published,
    async publishMessage(message) {
      published.push(message);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return {};
    },
  };
}

describe('requestMessageCorrelation', () => {
  it('given the same cause twice, then one row, inserted false the second time; given a new cause on the same key, then a second row', async () => {
    const tenantId = uniqueTenantId();
    const first = correlationFor(tenantId);

    const written = await request(first);
    const again = await request({ ...first, variables: { currentTaskResult: 'FAILED' } });
    const retried = await request({ ...first, causeId: randomUUID() });

    expect(written).toMatchObject({ inserted: true, status: 'PENDING' });
    expect(again).toEqual({ id: written.id, inserted: false, status: 'PENDING' });
    expect(retried.inserted).toBe(true);
    expect(retried.id).not.toBe(written.id);
    const rows = await listMessageCorrelations(db.pool, { tenantId, correlationKey: first.correlationKey });
    expect(rows.map((stored) => [stored.id, stored.causeId, stored.variables])).toEqual([
      [written.id, first.causeId, { currentTaskResult: 'SUCCEEDED' }],
      [retried.id, expect.any(String), { currentTaskResult: 'SUCCEEDED' }],
    ]);
    expect(await listMessageCorrelations(db.pool, { tenantId, aggregateId: first.aggregateId })).toHaveLength(2);
    expect(await listMessageCorrelations(db.pool, { tenantId: uniqueTenantId(), correlationKey: first.correlationKey })).toEqual([]);
  });

  it('given an invalid request, then a ValidationError and no row', async () => {
    const tenantId = uniqueTenantId();
    await expect(request(correlationFor(tenantId, { timeToLiveMs: -1 }))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await listMessageCorrelations(db.pool, { tenantId })).toEqual([]);
  });
});

describe('CorrelationRelay', () => {
  // Given nothing else is due: rows other tests left pending are published to a recorder first.
  beforeEach(async () => {
    const sweeper = new CorrelationRelay({ pool: db.pool, publisher: recordingPublisher(), log: silent });
    while ((await sweeper.runOnce()) > 0);
  });

  it('given an instance waiting at the catch, when the relay runs, then the message correlates and the row is CORRELATED', async () => {
    const tenantId = uniqueTenantId();
    const correlation = correlationFor(tenantId);
    const processInstanceKey = await instanceAtSubmit(correlation.correlationKey);
    await completeSubmit(processInstanceKey);
    expect(await activeElements(processInstanceKey)).toEqual(['callback']);
    const { id } = await request({ ...correlation, processInstanceKey });
    const seen: string[] = [];

    const relay = new CorrelationRelay({ pool: db.pool, publisher: zeebeMessagePublisher(h.zeebe), log: silent, onCorrelated: (published) => seen.push(published.id) });
    expect(await relay.runOnce()).toBe(1);
    expect(await relay.runOnce()).toBe(0);

    expect(await activeElements(processInstanceKey)).toEqual(['second']);
    expect(await row(id)).toMatchObject({ status: 'CORRELATED', attempts: 1, last_error: null, correlated_at: expect.any(Date) });
    expect(seen).toEqual([id]);
    const variables = await h.api.searchVariables({ filter: { processInstanceKey, name: 'currentTaskResult' } }, now);
    expect(variables.items.map((variable) => variable.value)).toEqual(['"SUCCEEDED"']);
  });

  it('given a message published before the instance reaches the catch, then the buffered message correlates when the catch opens', async () => {
    const tenantId = uniqueTenantId();
    const correlation = correlationFor(tenantId);
    const processInstanceKey = await instanceAtSubmit(correlation.correlationKey);
    const { id } = await request({ ...correlation, processInstanceKey });

    const relay = new CorrelationRelay({ pool: db.pool, publisher: zeebeMessagePublisher(h.zeebe), log: silent });
    expect(await relay.runOnce()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'CORRELATED' });
    expect(await activeElements(processInstanceKey)).toEqual(['submit']);

    await completeSubmit(processInstanceKey);
    expect(await activeElements(processInstanceKey)).toEqual(['second']);
  });

  it('given a crash between publish and mark, when the row is published again, then the engine refuses the messageId, the instance hears it once, and the row is done', async () => {
    const tenantId = uniqueTenantId();
    const correlation = correlationFor(tenantId);
    const processInstanceKey = await instanceAtSubmit(correlation.correlationKey);
    await completeSubmit(processInstanceKey);
    const { id } = await request({ ...correlation, processInstanceKey });
    const relay = new CorrelationRelay({ pool: db.pool, publisher: zeebeMessagePublisher(h.zeebe), log: silent });
    await relay.runOnce();
    expect(await activeElements(processInstanceKey)).toEqual(['second']);
    // The commit after the publish "never happened".
    await db.pool.query(`update workflow_message_correlation set status = 'PENDING', correlated_at = null where id = $1`, [id]);

    expect(await relay.runOnce()).toBe(1);

    // A second delivery would have passed the second catch.
    expect(await activeElements(processInstanceKey)).toEqual(['second']);
    expect(await row(id)).toMatchObject({ status: 'CORRELATED', attempts: 2, last_error: null });
  });

  it('given 50 pending rows and two relays running at once, then each row is published exactly once', async () => {
    const tenantId = uniqueTenantId();
    const ids = new Set<string>();
    for (let index = 0; index < 50; index += 1) ids.add((await request(correlationFor(tenantId))).id);
    const publishers = [recordingPublisher(), recordingPublisher()];
    const relays = publishers.map((publisher) => new CorrelationRelay({ pool: db.pool, publisher, log: silent, batchSize: 7 }));

    const drain = async (relay: CorrelationRelay) => {
      while ((await relay.runOnce()) > 0);
    };
    await Promise.all(relays.map(drain));

    const byRelay = publishers.map((publisher) => publisher.published.map((published) => published.messageId).filter((messageId) => ids.has(messageId)));
    // Both relays did part of the work, and together each row once.
    expect(byRelay.every((mine) => mine.length > 0)).toBe(true);
    const all = byRelay.flat();
    expect(all).toHaveLength(50);
    expect(new Set(all).size).toBe(50);
    expect(publishers.flatMap((publisher) => publisher.published).every((published) => published.timeToLive === 60_000 && published.name === messageName)).toBe(true);
    const rows = await listMessageCorrelations(db.pool, { tenantId });
    expect(rows.filter((stored) => stored.status === 'CORRELATED')).toHaveLength(50);
  });

  it('given a publisher that throws, then attempts, error and back-off are recorded, and the row is FAILED after maxAttempts', async () => {
    const tenantId = uniqueTenantId();
    const { id } = await request(correlationFor(tenantId));
    let calls = 0;
    const refusing: MessagePublisher = {
      async publishMessage() {
        calls += 1;
        throw new Error('14 UNAVAILABLE: gateway down');
      },
    };

    const relay = new CorrelationRelay({ pool: db.pool, publisher: refusing, log: silent, maxAttempts: 3, retryBaseMs: 0 });
    // A round tries a row at most once, even when its back-off is zero.
    await relay.runOnce();
    expect(calls).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'PENDING', attempts: 1, last_error: '14 UNAVAILABLE: gateway down' });
    while ((await row(id)).status === 'PENDING' && calls < 10) await relay.runOnce();
    expect(calls).toBe(3);
    expect(await row(id)).toMatchObject({ status: 'FAILED', attempts: 3, last_error: '14 UNAVAILABLE: gateway down', correlated_at: null });

    const backingOff = new CorrelationRelay({ pool: db.pool, publisher: refusing, log: silent, retryBaseMs: 60_000 });
    const later = await request(correlationFor(tenantId));
    await backingOff.runOnce();
    const afterFirst = await row(later.id);
    expect(afterFirst).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(afterFirst.due_in_ms).toBeGreaterThan(55_000);
    expect(afterFirst.due_in_ms).toBeLessThanOrEqual(60_000);
    // Not due for a minute: another round leaves it alone.
    const before = calls;
    await backingOff.runOnce();
    expect(calls).toBe(before);
  });
});
