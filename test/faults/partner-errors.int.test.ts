/**
 * Fault e): a partner that answers 5xx, then 4xx. The inventory partner answers the serviceability
 * check of one order 503 (Retry-After 1 s), 503 (Retry-After 4 s), then 422 with its reason; the
 * runtime retries the job with the back-off asked for (the gaps between the attempts grow), sends
 * each try under the same idempotency key, and on the refusal opens a fallout case whose reason —
 * the partner's own words — an operator reads through the order API. A second order meets only
 * 503s: when the job's retries are spent, the engine holds an incident whose message names the
 * partner and its answer.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportFault } from './fault-report';
import { duplicatedEffects, fibreOrderBody, startFaultRig, type FaultRig, type ScriptedAnswer } from './fault-a-rig';

vi.setConfig({ testTimeout: 240_000 });
let rig: FaultRig;

const refusal = { code: 'ADDRESS_NOT_SERVICEABLE', message: 'no fibre coverage at Jl. Sudirman 12, Jakarta' };
/** The answers of the first order's serviceability check, in order; the 503s ask for growing waits. */
const refusingScript: ScriptedAnswer[] = [
  { status: 503, headers: { 'retry-after': '1' }, body: { code: 'UNAVAILABLE', message: 'inventory is restarting' } },
  { status: 503, headers: { 'retry-after': '4' }, body: { code: 'UNAVAILABLE', message: 'inventory is restarting' } },
  { status: 422, body: refusal },
];
const unavailable: ScriptedAnswer = { status: 503, headers: { 'retry-after': '1' }, body: { code: 'UNAVAILABLE', message: 'inventory is down' } };

beforeAll(async () => {
  rig = await startFaultRig({ prefix: 'fault_partner_errors' });
  await rig.startRuntime();
});
afterAll(async () => {
  await rig?.close();
});

describe('a partner answering 5xx, then 4xx', () => {
  it('given 503, 503, 422 for one order and only 503s for another, then retries back off, the refusal opens a readable fallout case and the exhausted retries a readable incident', async () => {
    const scripts = new Map<string, ScriptedAnswer[]>();
    rig.respond = (request) => {
      if (request.taskType !== 'CHECK_SERVICEABILITY') return undefined;
      const orderId = [...scripts.keys()].find((id) => request.idempotencyKey.includes(id));
      if (orderId === undefined) return undefined;
      const script = scripts.get(orderId)!;
      return script.length > 1 ? script.shift() : script[0];
    };
    // The order id is known only once the order exists; its check runs after the start, so the script is in place first.
    const refused = String((await rig.api('POST', '/api/v1/orders', fibreOrderBody())).body['orderId']);
    scripts.set(refused, [...refusingScript]);
    const down = String((await rig.api('POST', '/api/v1/orders', fibreOrderBody())).body['orderId']);
    scripts.set(down, [unavailable]);
    for (const orderId of [refused, down]) expect((await rig.api('POST', `/api/v1/orders/${orderId}/fulfillment/start`)).status).toBe(202);

    // The refused order: a fallout case an operator finds through the API, in the partner's words.
    const falloutCase = await rig.until(
      'the fallout case of the refused order',
      async () => {
        const list = await rig.api('GET', '/api/v1/fallout-cases');
        const items = (list.body['items'] ?? []) as { orderId: string; category: string; reason: string }[];
        return items.find((item) => item.orderId === refused);
      },
      180_000,
      500,
    );
    const tries = rig.partnerRequests.filter((request) => request.taskType === 'CHECK_SERVICEABILITY' && request.idempotencyKey.includes(refused));
    const gaps = tries.slice(1).map((request, index) => request.at - tries[index]!.at);
    const order = (await rig.api('GET', `/api/v1/orders/${refused}`)).body;
    const tasks = ((await rig.api('GET', `/api/v1/orders/${refused}/fulfillment-tasks`)).body['tasks'] ?? []) as { taskType: string; status: string }[];

    // The order that only met 503s: an incident once the retries are spent.
    const processInstanceKey = await rig.until('the process instance of the unavailable order', () => rig.processInstanceKey(down), 60_000);
    const incident = await rig.until(
      'an incident on the unavailable order',
      async () => (await rig.engineRest<{ items: { errorType: string; errorMessage: string; elementId: string }[] }>('POST', '/incidents/search', { filter: { processInstanceKey, state: 'ACTIVE' } })).items[0],
      180_000,
      500,
    );
    const downTries = rig.partnerRequests.filter((request) => request.taskType === 'CHECK_SERVICEABILITY' && request.idempotencyKey.includes(down));

    // Accounted for: completed, or held where a person sees it (an open fallout case, an incident).
    const statuses = await Promise.all([refused, down].map((orderId) => rig.orderStatus(orderId)));
    const held = [falloutCase, incident].filter((found) => found !== undefined).length;
    const completed = statuses.filter((status) => status === 'COMPLETED').length;
    reportFault({
      fault: 'partner 503, 503, then 422 / only 503',
      orders: 2,
      completed,
      lost: 2 - completed - held,
      duplicated: duplicatedEffects(rig).duplicated,
      note: `refused order: ${tries.length} tries ${tries.map((t) => t.status).join(',')}, gaps ${gaps.map((gap) => `${(gap / 1000).toFixed(1)} s`).join(' < ')}, fallout "${falloutCase.reason}"; unavailable order: ${downTries.length} tries, incident "${incident.errorMessage}"`,
    });

    expect(tries.map((request) => request.status)).toEqual([503, 503, 422]);
    // One request, retried: the same idempotency key each try.
    expect(new Set(tries.map((request) => request.idempotencyKey)).size).toBe(1);
    // The runtime waited as asked, and longer the second time.
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(4000);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(falloutCase.category).toBe('EXTERNAL_SYSTEM_REJECTED');
    expect(falloutCase.reason).toContain(refusal.message);
    expect(falloutCase.reason).toContain(refusal.code);
    // The order waits for a repair; its task says why.
    expect(order['status']).toBe('IN_FULFILLMENT');
    expect(tasks.find((task) => task.taskType === 'CHECK_SERVICEABILITY')?.status).toBe('FALLOUT');

    expect(downTries.map((request) => request.status)).toEqual([503, 503, 503]);
    expect(new Set(downTries.map((request) => request.idempotencyKey)).size).toBe(1);
    expect(incident.errorMessage).toContain('inventory answered 503');
    // Nothing was performed: no partner effect, and the task did not move on.
    expect(rig.simulator.systemEffectCount('inventory')).toBe(0);
  });
});
