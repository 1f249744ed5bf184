/**
 * Fault d): a job timeout shorter than the handler. JOB_TIMEOUT_MS is 1 s and every partner call is
 * followed by a 2.5 s pause (fault point `task.after-partner-call`, action delay), so the engine
 * hands each partner job out again while its first handler still runs: two or more handlers of one
 * job side by side. The job's idempotency key is the same for all of them, so they share one
 * attempt, one external request key and one result: no duplicate task rows, attempts, evidence,
 * partner effects or outbox events, and every order completes. Kafka receives each event once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportFault } from './fault-report';
import { duplicatedEffects, startFaultRig, untilOrderEnds, type FaultRig } from './fault-a-rig';
import { expectFulfillmentInvariant } from '../process/fulfillment-invariant';

const orderCount = 2;
const jobTimeoutMs = 1000;
const handlerDelayMs = 2500;

vi.setConfig({ testTimeout: 300_000 });
let rig: FaultRig;

beforeAll(async () => {
  rig = await startFaultRig({ prefix: 'fault_job_timeout', consumeKafka: true });
  await rig.startRuntime({ JOB_TIMEOUT_MS: String(jobTimeoutMs), FAULT_POINTS: JSON.stringify({ 'task.after-partner-call': { action: 'delay', delayMs: handlerDelayMs } }) });
});
afterAll(async () => {
  await rig?.close();
});

/** Rows of `sql` (grouped by what must be unique, `n` the count) that occur more than once. */
async function duplicates(what: string, sql: string, orderIds: string[]): Promise<{ what: string; rows: unknown[] }> {
  const rows = await rig.pool.query(`select * from (${sql}) d where n > 1`, [rig.tenantId, orderIds]);
  return { what, rows: rows.rows };
}

describe('a job timeout shorter than the handler', () => {
  it(`given JOB_TIMEOUT_MS ${jobTimeoutMs} and partner calls followed by a ${handlerDelayMs} ms pause, then jobs run twice yet nothing is written twice and every order completes`, async () => {
    const orderIds = await Promise.all(Array.from({ length: orderCount }, () => rig.placeFibreOrder()));
    const ends = await Promise.all(orderIds.map((orderId) => untilOrderEnds(rig, orderId, 240_000)));

    const found = [
      await duplicates('tasks per plan template', `select fulfillment_plan_id, sequence, count(*)::int as n from fulfillment_task where tenant_id = $1 and order_id = any($2) group by 1, 2`, orderIds),
      await duplicates('attempts per task', `select fulfillment_task_id, count(*)::int as n from fulfillment_task_attempt where tenant_id = $1 and order_id = any($2) group by 1`, orderIds),
      await duplicates(
        'external requests per task and purpose',
        `select fulfillment_task_id, split_part(idempotency_key, ':', 4) as purpose, count(*)::int as n from external_call_attempt where tenant_id = $1 and order_id = any($2) group by 1, 2`,
        orderIds,
      ),
      await duplicates('evidence per task and kind', `select fulfillment_task_id, evidence_kind, count(*)::int as n from task_evidence where tenant_id = $1 and order_id = any($2) group by 1, 2`, orderIds),
      await duplicates(
        'outbox events per aggregate and type',
        // a task's status events may repeat only if the task really went through the status twice
        `select aggregate_id, event_type, count(*)::int as n from outbox where tenant_id = $1 and correlation_id = any($2::text[]) group by 1, 2`,
        orderIds,
      ),
    ];
    const effects = duplicatedEffects(rig);
    // The fault really bit: some partner request was sent again by a second handler of its job.
    const repeatedKeys = [...new Set(rig.simulator.calls().map((call) => call.idempotencyKey))].filter((key) => rig.simulator.callCount(key) > 1).length;

    // Every published event reaches Kafka, and none twice.
    const outbox = await rig.pool.query<{ event_id: string }>('select event_id from outbox where tenant_id = $1 and correlation_id = any($2::text[])', [rig.tenantId, orderIds]);
    await rig.until(
      'every event of the orders on Kafka',
      async () => {
        const got = new Set(rig.delivered.map((event) => event.eventId));
        return outbox.rows.every((row) => got.has(row.event_id)) ? true : undefined;
      },
      120_000,
      250,
    );
    const ours = new Set(outbox.rows.map((row) => row.event_id));
    const deliveredOurs = rig.delivered.filter((event) => ours.has(event.eventId));
    const deliveredTwice = deliveredOurs.length - new Set(deliveredOurs.map((event) => event.eventId)).size;

    const duplicateRows = found.reduce((sum, group) => sum + group.rows.length, 0);
    const completed = ends.filter((status) => status === 'COMPLETED').length;
    reportFault({
      fault: `job timeout ${jobTimeoutMs} ms < handler ${handlerDelayMs} ms`,
      orders: orderCount,
      completed,
      lost: orderCount - completed,
      duplicated: duplicateRows + effects.duplicated + deliveredTwice,
      note: `${repeatedKeys} of ${effects.keys} partner keys called again by a re-handed job, each performed once; ${outbox.rows.length} events, ${deliveredOurs.length} Kafka deliveries`,
    });

    expect(ends).toEqual(orderIds.map(() => 'COMPLETED'));
    expect(repeatedKeys).toBeGreaterThanOrEqual(1);
    expect(found).toEqual(found.map((group) => ({ what: group.what, rows: [] })));
    expect(effects.duplicated).toBe(0);
    expect(deliveredTwice).toBe(0);
    for (const orderId of orderIds) await expectFulfillmentInvariant(rig.invariantView(), orderId);
  });
});
